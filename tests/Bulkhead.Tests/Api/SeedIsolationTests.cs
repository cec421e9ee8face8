using System.Net;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Api;

/// <summary>The seed's isolation tests with the tenants in the shared tables.</summary>
public sealed class PooledTierIsolationTests(ApiFixture api) : SeedIsolationTests(api, Tier.Pooled), IClassFixture<ApiFixture>;

/// <summary>The same tests with every tenant in a schema of its own.</summary>
public sealed class SchemaTierIsolationTests(ApiFixture api) : SeedIsolationTests(api, Tier.Schema), IClassFixture<ApiFixture>;

/// <summary>The same tests with every tenant in a database of its own, on a second server.</summary>
public sealed class DatabaseTierIsolationTests(ApiFixture api) : SeedIsolationTests(api, Tier.Database), IClassFixture<ApiFixture>;

/// <summary>The seed's isolation tests, at the HTTP level, against the real server and PostgreSQL, for one tier.</summary>
public abstract class SeedIsolationTests(ApiFixture api, Tier tier)
{
    [Fact]
    public async Task same_user_id_in_two_tenants_lists_only_the_callers_conversations()
    {
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        using var asA = api.Server.Client(TestKeys.Token(a.Id, "user123"));
        using var asB = api.Server.Client(TestKeys.Token(b.Id, "user123"));
        var mine = await asA.CreateConversationAsync("A's secret plans");
        await asB.CreateConversationAsync("B's secret plans");

        var listed = await asA.ListAllAsync("/api/conversations", 20);

        var only = Assert.Single(listed);
        Assert.Equal(mine, only["id"]!.GetValue<Guid>());
        Assert.Equal("A's secret plans", only["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task paging_a_hundred_conversations_ten_at_a_time_returns_exactly_the_tenants_own()
    {
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        using var asA = api.Server.Client(TestKeys.Token(a.Id, "pager"));
        using var asB = api.Server.Client(TestKeys.Token(b.Id, "pager"));
        var created = new HashSet<Guid>();
        for (var i = 0; i < 100; i++)
        {
            created.Add(await asA.CreateConversationAsync($"a-{i}"));
            await asB.CreateConversationAsync($"b-{i}");
        }

        var pages = await asA.ListAllAsync("/api/conversations", 10);

        var ids = pages.Select(p => p["id"]!.GetValue<Guid>()).ToList();
        Assert.Equal(100, ids.Count);
        Assert.Equal(100, ids.Distinct().Count());
        Assert.True(created.SetEquals(ids));
        Assert.All(pages, p => Assert.StartsWith("a-", p["title"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_cursor_replayed_by_another_tenant_is_rejected()
    {
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        using var asA = api.Server.Client(TestKeys.Token(a.Id, "same"));
        using var asB = api.Server.Client(TestKeys.Token(b.Id, "same"));
        for (var i = 0; i < 3; i++)
        {
            await asA.CreateConversationAsync($"canary-of-a-{i}");
            await asB.CreateConversationAsync($"canary-of-b-{i}");
        }

        var first = await (await asA.GetAsync("/api/conversations?limit=1")).ReadJsonAsync();
        var cursor = first["next_cursor"]!.GetValue<string>();

        var replayed = await asB.GetAsync("/api/conversations?limit=1&cursor=" + Uri.EscapeDataString(cursor));

        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal("application/problem+json", replayed.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("canary-of-", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_cursor_replayed_by_another_user_of_the_same_tenant_is_rejected()
    {
        var a = await NewTenantAsync();
        using var alice = api.Server.Client(TestKeys.Token(a.Id, "alice"));
        using var bob = api.Server.Client(TestKeys.Token(a.Id, "bob"));
        await alice.CreateConversationAsync("one");
        await alice.CreateConversationAsync("two");
        var cursor = (await (await alice.GetAsync("/api/conversations?limit=1")).ReadJsonAsync())["next_cursor"]!.GetValue<string>();

        var replayed = await bob.GetAsync("/api/conversations?limit=1&cursor=" + Uri.EscapeDataString(cursor));

        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
    }

    [Fact]
    public async Task another_tenants_conversation_id_gets_the_same_404_as_an_unknown_id()
    {
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        using var asA = api.Server.Client(TestKeys.Token(a.Id, "123"));
        using var asB = api.Server.Client(TestKeys.Token(b.Id, "123"));
        var foreign = await asA.CreateConversationAsync("not yours");

        foreach (var (method, suffix, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, "", null),
            (HttpMethod.Patch, "", """{"title":"stolen"}"""),
            (HttpMethod.Delete, "", null),
            (HttpMethod.Get, "/messages", null),
            (HttpMethod.Post, "/messages", """{"content":"hi"}"""),
        })
        {
            var probe = await SendAsync(asB, method, $"/api/conversations/{foreign}{suffix}", body);
            var control = await SendAsync(asB, method, $"/api/conversations/{Guid.CreateVersion7()}{suffix}", body);
            Assert.Equal(HttpStatusCode.NotFound, probe.Status);
            Assert.Equal(control.Status, probe.Status);
            Assert.Equal(control.Shape, probe.Shape);
        }

        var stillThere = await asA.GetAsync($"/api/conversations/{foreign}");
        Assert.Equal("not yours", (await stillThere.ReadJsonAsync())["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task spoofed_tenant_and_user_headers_change_nothing()
    {
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        using var asB = api.Server.Client(TestKeys.Token(b.Id, "victim"));
        await asB.CreateConversationAsync("B only");
        using var asA = api.Server.Client(TestKeys.Token(a.Id, "attacker"));
        foreach (var (name, value) in new[] { ("X-Tenant-ID", b.Id.ToString()), ("X-User-ID", "victim"), ("X-Tenant", b.Slug), ("X-Forwarded-User", "victim") })
        {
            asA.DefaultRequestHeaders.Add(name, value);
        }

        var listed = await (await asA.GetAsync("/api/conversations")).ReadJsonAsync();
        var me = await (await asA.GetAsync("/api/me")).ReadJsonAsync();

        Assert.Empty(listed["items"]!.AsArray());
        Assert.Equal(a.Id, me["tenant_id"]!.GetValue<Guid>());
        Assert.Equal("attacker", me["sub"]!.GetValue<string>());
    }

    [Fact]
    public async Task members_see_their_own_conversations_and_admins_see_the_tenants()
    {
        var a = await NewTenantAsync();
        using var alice = api.Server.Client(TestKeys.Token(a.Id, "alice"));
        using var bob = api.Server.Client(TestKeys.Token(a.Id, "bob"));
        using var admin = api.Server.Client(TestKeys.Token(a.Id, "boss", "admin"));
        var alices = await alice.CreateConversationAsync("alice's");
        await bob.CreateConversationAsync("bob's");
        var aliceId = (await (await alice.GetAsync("/api/me")).ReadJsonAsync())["user_id"]!.GetValue<Guid>();

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/conversations/{alices}")).StatusCode);
        Assert.Single(await bob.ListAllAsync("/api/conversations", 10));
        Assert.Equal(2, (await admin.ListAllAsync("/api/conversations", 10)).Count);
        var filtered = await admin.ListAllAsync($"/api/conversations?user_id={aliceId}", 10);
        Assert.Equal(alices, Assert.Single(filtered)["id"]!.GetValue<Guid>());
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync($"/api/conversations?user_id={aliceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/conversations/{alices}")).StatusCode);
    }

    private Task<Tenant> NewTenantAsync() => api.Database.CreateTenantAsync(tier);

    private static async Task<(HttpStatusCode Status, string Shape)> SendAsync(HttpClient client, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = Http.Json(body);
        }

        var response = await client.SendAsync(request);
        var json = await response.ReadJsonAsync();
        var shape = string.Join(",", json.AsObject().Select(p => p.Key + (p.Key == "trace_id" ? "" : "=" + p.Value?.ToJsonString())).OrderBy(k => k, StringComparer.Ordinal));
        return (response.StatusCode, shape + "|" + response.Content.Headers.ContentType?.MediaType);
    }
}
