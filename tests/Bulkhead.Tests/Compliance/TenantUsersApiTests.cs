using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Audit;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Audit;

namespace Bulkhead.Tests.Compliance;

/// <summary>GET /api/tenant/users: the tenant's users with their activity, paged, audited, and only the tenant's own.</summary>
public sealed class TenantUsersApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData(Tier.Pooled)]
    [InlineData(Tier.Schema)]
    public async Task the_list_holds_the_tenants_users_with_their_activity_and_none_of_the_same_sub_elsewhere(Tier tier)
    {
        var tenant = await fixture.Database.CreateTenantAsync(tier);
        var other = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        await ChatAsync(tenant, "alice", 2);
        await ChatAsync(tenant, "bob", 1);
        await ChatAsync(other, "alice", 5);
        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));

        var page = await admin.GetFromJsonAsync<JsonNode>("/api/tenant/users");

        var users = page!["items"]!.AsArray().ToDictionary(u => u!["sub"]!.GetValue<string>(), u => u!);
        Assert.Equal(["alice", "bob"], users.Keys.Order().ToArray());
        Assert.Equal((2, 2, "user"), (users["alice"]["conversations"]!.GetValue<int>(), users["alice"]["calls_this_month"]!.GetValue<int>(), users["alice"]["kind"]!.GetValue<string>()));
        Assert.True(users["alice"]["used_tokens_this_month"]!.GetValue<long>() > 0);
        Assert.NotNull(users["bob"]["last_active_at"]);
        var listed = Assert.Single(await AuditEvents.ReadAsync(fixture.Database, tenant), e => e.Action == "user.list");
        Assert.Equal(("boss", 2L), (listed.Sub, (long)listed.ResultCount!));
    }

    [Fact]
    public async Task pages_follow_the_cursor_and_another_tenants_cursor_is_refused()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var other = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        foreach (var sub in new[] { "u1", "u2", "u3" })
        {
            await ChatAsync(tenant, sub, 1);
            await ChatAsync(other, sub, 1);
        }

        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        var first = await admin.GetFromJsonAsync<JsonNode>("/api/tenant/users?limit=2");
        var cursor = first!["next_cursor"]!.GetValue<string>();
        var second = await admin.GetFromJsonAsync<JsonNode>($"/api/tenant/users?limit=2&cursor={Uri.EscapeDataString(cursor)}");
        var subs = first["items"]!.AsArray().Concat(second!["items"]!.AsArray()).Select(u => u!["sub"]!.GetValue<string>()).ToList();
        Assert.Equal(["u3", "u2", "u1"], subs);
        Assert.Null(second["next_cursor"]);

        using var otherAdmin = fixture.Server.Client(TestKeys.Token(other.Id, "boss", Roles.Admin));
        Assert.Equal(HttpStatusCode.BadRequest, (await otherAdmin.GetAsync($"/api/tenant/users?limit=2&cursor={Uri.EscapeDataString(cursor)}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/tenant/users?limit=0")).StatusCode);
        using var member = fixture.Server.Client(TestKeys.Token(tenant.Id, "u1"));
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/tenant/users")).StatusCode);
    }

    private async Task ChatAsync(Tenant tenant, string sub, int conversations)
    {
        using var user = fixture.Server.Client(TestKeys.Token(tenant.Id, sub));
        for (var i = 0; i < conversations; i++)
        {
            var id = await user.CreateConversationAsync($"{sub} {i}");
            var sent = await user.PostAsync($"/api/conversations/{id}/messages", Http.Json(new { content = "hello" }));
            Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        }
    }
}
