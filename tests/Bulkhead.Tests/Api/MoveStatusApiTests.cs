using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Api;

/// <summary>GET /api/admin/tenants/{id}/move: a move's progress while the POST that runs it is still answering.</summary>
public sealed class MoveStatusApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task a_running_move_reports_its_step_and_rows_and_is_idle_when_done()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        await ConversationsAsync(tenant, 3);
        using var platform = fixture.Server.Client(TestKeys.PlatformToken());
        Assert.Equal("idle", (await StatusAsync(platform, tenant))["state"]!.GetValue<string>());

        var move = platform.PostAsJsonAsync($"/api/admin/tenants/{tenant.Id}/move", new { tier = "schema" });
        var seen = await WaitForStepAsync(platform, tenant, "keeping the source's audit trail open");
        Assert.Equal(("moving", "pooled", "schema", "purging"), (seen["state"]!.GetValue<string>(), seen["from"]!.GetValue<string>(), seen["to"]!.GetValue<string>(), seen["phase"]!.GetValue<string>()));
        // users, conversations, messages: at least the 1 + 3 + 3 rows made here, all of them copied.
        Assert.True(seen["rows_total"]!.GetValue<long>() >= 7, seen.ToJsonString());
        Assert.Equal(seen["rows_total"]!.GetValue<long>(), seen["rows_copied"]!.GetValue<long>());
        Assert.DoesNotContain("move test", seen.ToJsonString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await move).StatusCode);
        var done = await StatusAsync(platform, tenant);
        Assert.Equal(("idle", "schema"), (done["state"]!.GetValue<string>(), done["from"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_move_whose_caller_gives_up_is_reported_failed_until_it_is_run_again()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        await ConversationsAsync(tenant, 1);
        using var platform = fixture.Server.Client(TestKeys.PlatformToken());
        using (var caller = fixture.Server.Client(TestKeys.PlatformToken()))
        using (var giveUp = new CancellationTokenSource())
        {
            var move = caller.PostAsJsonAsync($"/api/admin/tenants/{tenant.Id}/move", new { tier = "schema" }, giveUp.Token);
            await WaitForStepAsync(platform, tenant, "keeping the source's audit trail open");
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => move);
        }

        JsonNode status = null!;
        await Eventually.UntilAsync(async () => (status = await StatusAsync(platform, tenant))["state"]!.GetValue<string>() == "failed",
            TimeSpan.FromSeconds(30), "the abandoned move is reported failed");
        Assert.Equal("cancelled", status["error"]!.GetValue<string>());

        // Run again, the move finishes what it left (the switch was made: only the purge was left).
        await platform.PostAsJsonAsync($"/api/admin/tenants/{tenant.Id}/move", new { tier = "schema" });
        var after = await StatusAsync(platform, tenant);
        Assert.Equal(("idle", "schema"), (after["state"]!.GetValue<string>(), after["from"]!.GetValue<string>()));
    }

    [Fact]
    public async Task only_the_platform_role_reads_a_move_and_an_unknown_tenant_is_a_404()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"/api/admin/tenants/{tenant.Id}/move")).StatusCode);
        using var platform = fixture.Server.Client(TestKeys.PlatformToken());
        Assert.Equal(HttpStatusCode.NotFound, (await platform.GetAsync($"/api/admin/tenants/{Guid.NewGuid()}/move")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.GetAsync("/api/admin/tenants/not-an-id/move")).StatusCode);
    }

    private async Task ConversationsAsync(Tenant tenant, int count)
    {
        using var user = fixture.Server.Client(TestKeys.Token(tenant.Id, "mover"));
        for (var i = 0; i < count; i++)
        {
            var id = await user.CreateConversationAsync("move test " + i);
            await user.PostAsync($"/api/conversations/{id}/messages", Http.Json(new { content = "move test message" }));
        }
    }

    private static async Task<JsonNode> StatusAsync(HttpClient platform, Tenant tenant)
    {
        var response = await platform.GetAsync($"/api/admin/tenants/{tenant.Id}/move");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    // The step that follows the switch lasts a few seconds (the source's trail stays open for every server's cache).
    private static async Task<JsonNode> WaitForStepAsync(HttpClient platform, Tenant tenant, string step)
    {
        JsonNode status = null!;
        await Eventually.UntilAsync(async () => (status = await StatusAsync(platform, tenant))["step"]?.GetValue<string>()?.StartsWith(step, StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(60), $"the move reaches '{step}'");
        return status;
    }
}
