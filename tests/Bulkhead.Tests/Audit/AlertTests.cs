using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Host.Audit;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Audit;

/// <summary>Each alert is raised by its pattern, and not by ordinary traffic. Each test uses its own subs and tenants.</summary>
public sealed class AlertTests(AlertFixture fixture) : IClassFixture<AlertFixture>
{
    private RunningServer Server => fixture.Server;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static bool Is(JsonNode alert, string kind, string sub) =>
        alert["kind"]!.GetValue<string>() == kind && alert["sub"]?.GetValue<string>() == sub;

    [Fact]
    public async Task probing_another_tenants_conversation_gets_the_ordinary_404_and_raises_cross_tenant_probe()
    {
        var victim = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var prober = await fixture.Database.CreateTenantAsync(Tier.Schema);
        using var owner = Server.Client(TestKeys.Token(victim.Id, "alice"));
        var target = await owner.CreateConversationAsync("victim data");
        var sub = Unique("mallory");
        using var client = Server.Client(TestKeys.Token(prober.Id, sub));

        var random = await client.GetAsync($"/api/conversations/{Guid.CreateVersion7()}");
        var foreign = await client.GetAsync($"/api/conversations/{target}");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var (foreignBody, randomBody) = (await foreign.ReadJsonAsync(), await random.ReadJsonAsync());
        foreignBody.AsObject().Remove("trace_id");
        randomBody.AsObject().Remove("trace_id");
        Assert.Equal(randomBody.ToJsonString(), foreignBody.ToJsonString());
        var alert = await fixture.WaitForAlertAsync(a => Is(a, "cross_tenant_probe", sub));
        Assert.NotNull(alert);
        Assert.Equal(prober.Id, alert["tenant_id"]!.GetValue<Guid>());
        Assert.Equal(victim.Id, alert["target_tenant"]!.GetValue<Guid>());
        Assert.Equal(target.ToString(), alert["detail"]!["resource_id"]!.GetValue<string>());
        // Only the foreign id raised one: the random miss was checked first (the queue is in order) and found nothing.
        using var platform = Server.Client(TestKeys.PlatformToken());
        var page = await platform.GetFromJsonAsync<JsonNode>($"/api/admin/alerts?kind=cross_tenant_probe&tenant_id={prober.Id}");
        Assert.Single(page!["items"]!.AsArray(), a => a!["sub"]!.GetValue<string>() == sub);
    }

    [Fact]
    public async Task a_miss_on_the_callers_own_deleted_conversation_raises_no_probe()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var sub = Unique("honest");
        using var client = Server.Client(TestKeys.Token(tenant.Id, sub));
        var id = await client.CreateConversationAsync("mine");
        await client.DeleteAsync($"/api/conversations/{id}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/conversations/{id}")).StatusCode);

        // A later probe by someone else: once it is listed, the honest miss has been checked too.
        var victim = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var victimClient = Server.Client(TestKeys.Token(victim.Id, "v"));
        var foreign = await victimClient.CreateConversationAsync("x");
        var marker = Unique("marker");
        using var prober = Server.Client(TestKeys.Token(tenant.Id, marker));
        await prober.GetAsync($"/api/conversations/{foreign}");
        Assert.NotNull(await fixture.WaitForAlertAsync(a => Is(a, "cross_tenant_probe", marker)));

        Assert.Null(await fixture.WaitForAlertAsync(a => a["sub"]?.GetValue<string>() == sub, seconds: 1));
    }

    [Fact]
    public async Task a_burst_of_404s_raises_id_enumeration_and_a_few_misses_do_not()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var scanner = Unique("scanner");
        var casual = Unique("casual");
        using var scan = Server.Client(TestKeys.Token(tenant.Id, scanner));
        using var normal = Server.Client(TestKeys.Token(tenant.Id, casual));

        for (var i = 0; i < 3; i++)
        {
            await normal.GetAsync($"/api/conversations/{Guid.CreateVersion7()}");
            await normal.GetAsync("/api/conversations");
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await scan.GetAsync($"/api/conversations/{Guid.CreateVersion7()}")).StatusCode);
        }

        var alert = await fixture.WaitForAlertAsync(a => Is(a, "id_enumeration", scanner));
        Assert.NotNull(alert);
        Assert.Equal(tenant.Id, alert["tenant_id"]!.GetValue<Guid>());
        Assert.Null(await fixture.WaitForAlertAsync(a => Is(a, "id_enumeration", casual), seconds: 1));
    }

    [Fact]
    public async Task tokens_for_unknown_and_suspended_tenants_raise_alerts()
    {
        var suspended = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        await fixture.Database.Catalog.SetStatusAsync(suspended.Id, TenantStatus.Suspended, CancellationToken.None);
        var unknownSub = Unique("ghost");
        var suspendedSub = Unique("former");
        using var ghost = Server.Client(TestKeys.Token(Guid.NewGuid(), unknownSub));
        using var former = Server.Client(TestKeys.Token(suspended.Id, suspendedSub));

        Assert.Equal(HttpStatusCode.Unauthorized, (await ghost.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await former.GetAsync("/api/me")).StatusCode);

        Assert.NotNull(await fixture.WaitForAlertAsync(a => Is(a, "unknown_tenant", unknownSub)));
        var alert = await fixture.WaitForAlertAsync(a => Is(a, "suspended_tenant", suspendedSub));
        Assert.Equal(suspended.Id, alert!["tenant_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task one_issuers_sub_active_in_two_tenants_raises_sub_in_several_tenants_and_one_tenant_does_not()
    {
        var first = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var second = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var roaming = Unique("roaming");
        var settled = Unique("settled");
        using (var a = Server.Client(TestKeys.Token(first.Id, roaming)))
        using (var b = Server.Client(TestKeys.Token(second.Id, roaming)))
        using (var c = Server.Client(TestKeys.Token(first.Id, settled)))
        {
            await c.GetAsync("/api/me");
            await a.GetAsync("/api/me");
            await c.GetAsync("/api/me");
            await b.GetAsync("/api/me");
            await a.GetAsync("/api/me");
            await b.GetAsync("/api/me");
        }

        var alert = await fixture.WaitForAlertAsync(a => Is(a, "sub_in_several_tenants", roaming));
        Assert.NotNull(alert);
        var tenants = alert["detail"]!["tenants"]!.AsArray().Select(t => t!.GetValue<Guid>()).ToHashSet();
        Assert.Equal(new HashSet<Guid> { first.Id, second.Id }, tenants);
        Assert.Equal(TestKeys.Issuer, alert["detail"]!["issuer"]!.GetValue<string>());
        Assert.Null(await fixture.WaitForAlertAsync(a => Is(a, "sub_in_several_tenants", settled), seconds: 1));
        // Once per issuer, sub and window: going back and forth is still the one alert.
        using var platform = Server.Client(TestKeys.PlatformToken());
        var page = await platform.GetFromJsonAsync<JsonNode>("/api/admin/alerts?kind=sub_in_several_tenants&limit=100");
        Assert.Single(page!["items"]!.AsArray(), a => a!["sub"]!.GetValue<string>() == roaming);
    }

    [Fact]
    public async Task user_123_of_acme_and_user_123_of_globex_reading_their_own_conversations_raise_no_alert()
    {
        var acme = await fixture.Database.CreateTenantAsync(Tier.Pooled, Unique("acme"));
        var globex = await fixture.Database.CreateTenantAsync(Tier.Schema, Unique("globex"));
        using (var ofAcme = fixture.Defaults.Client(TestKeys.Token(acme.Id, "123")))
        using (var ofGlobex = fixture.Defaults.Client(TestKeys.Token(globex.Id, "123")))
        {
            var mine = await ofAcme.CreateConversationAsync("acme's");
            var theirs = await ofGlobex.CreateConversationAsync("globex's");
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await ofAcme.GetAsync($"/api/conversations/{mine}")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await ofGlobex.GetAsync($"/api/conversations/{theirs}")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await ofAcme.GetAsync("/api/conversations")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await ofGlobex.GetAsync("/api/conversations")).StatusCode);
            }
        }

        // Alert work is done in order: once a later alert of the same server is listed, the reads were looked at.
        var marker = Unique("marker");
        using (var ghost = fixture.Defaults.Client(TestKeys.Token(Guid.NewGuid(), marker)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await ghost.GetAsync("/api/me")).StatusCode);
        }

        Assert.NotNull(await fixture.WaitForAlertAsync(a => Is(a, "unknown_tenant", marker)));
        using var platform = Server.Client(TestKeys.PlatformToken());
        foreach (var tenant in new[] { acme, globex })
        {
            var page = await platform.GetFromJsonAsync<JsonNode>($"/api/admin/alerts?tenant_id={tenant.Id}&limit=100");
            Assert.Empty(page!["items"]!.AsArray());
        }
    }

    [Fact]
    public async Task alerts_reach_the_webhook_signed_after_retries()
    {
        using var ghost = Server.Client(TestKeys.Token(Guid.NewGuid(), Unique("hooked")));
        await ghost.GetAsync("/api/me");

        for (var i = 0; i < 200 && fixture.Received.IsEmpty; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(fixture.Received.TryPeek(out var delivery), "no alert reached the webhook");
        Assert.True(fixture.Attempts >= 3);
        Assert.Equal("sha256=" + AlertWebhook.Sign(AlertFixture.Secret, delivery.Timestamp, delivery.Body), delivery.Signature);
        Assert.NotEqual("sha256=" + AlertWebhook.Sign("wrong-secret", delivery.Timestamp, delivery.Body), delivery.Signature);
        var body = JsonNode.Parse(delivery.Body)!;
        Assert.NotNull(body["kind"]);
        Assert.True(body.AsObject().ContainsKey("tenant_id"));
    }

    [Fact]
    public async Task the_alert_list_is_for_the_platform_only()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var admin = Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));

        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/admin/alerts")).StatusCode);
    }
}
