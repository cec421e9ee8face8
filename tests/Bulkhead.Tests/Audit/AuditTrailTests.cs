using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Audit;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Audit;

/// <summary>Every access through the API leaves an audit event with every field in the tenant's own trail, which the server seals.</summary>
public sealed class AuditTrailTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TestDatabase Db => fixture.Database;

    [Fact]
    public async Task a_read_records_every_audit_field()
    {
        var tenant = await Db.CreateTenantAsync(Tier.Pooled);
        var token = TestKeys.Token(tenant.Id, "alice");
        using var client = fixture.Server.Client(token);
        var id = await client.CreateConversationAsync("quarterly numbers");

        var response = await client.GetAsync($"/api/conversations/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await AuditEvents.ReadAsync(Db, tenant);
        var read = Assert.Single(events, e => e.Action == "conversation.read");
        Assert.Equal(tenant.Id, read.TenantId);
        Assert.Equal("alice", read.Sub);
        Assert.Equal(Roles.Member, read.Role);
        Assert.Equal(AuditEvents.TokenId(token), read.TokenId);
        Assert.Equal("conversation", read.ResourceType);
        Assert.Equal(id.ToString(), read.ResourceId);
        Assert.Equal(AuditOutcome.Ok, read.Outcome);
        Assert.Equal(1, read.ResultCount);
        Assert.False(string.IsNullOrEmpty(read.RequestId));
        Assert.StartsWith(ClientAddressCommitment.Prefix, read.ClientAddress, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", await Db.ScalarAsync<string>(Db.Owner, "select address from app.audit_client_addresses where tenant_id = $1 and commitment = $2", tenant.Id, read.ClientAddress!));
        Assert.InRange(read.OccurredAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(read.Xid > 0);
        Assert.DoesNotContain(events, e => e.ResourceId?.Contains("quarterly", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task reads_with_one_token_from_one_address_share_one_address_row_and_another_token_gets_its_own()
    {
        var tenant = await Db.CreateTenantAsync(Tier.Pooled);
        using var first = fixture.Server.Client(TestKeys.Token(tenant.Id, "alice"));
        using var second = fixture.Server.Client(TestKeys.Token(tenant.Id, "alice"));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/conversations")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/conversations")).StatusCode);

        var lists = (await AuditEvents.ReadAsync(Db, tenant)).Where(e => e.Action == "conversation.list").ToList();
        Assert.Equal(6, lists.Count);
        Assert.Equal(2, lists.Select(e => e.ClientAddress).Distinct().Count());
        Assert.Equal(2L, await Db.ScalarAsync<long>(Db.Owner, "select count(*) from app.audit_client_addresses where tenant_id = $1", tenant.Id));
        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        var trail = await admin.GetFromJsonAsync<JsonNode>("/api/tenant/audit?action=conversation.list&limit=100");
        Assert.Equal(6, trail!["items"]!.AsArray().Count);
        Assert.All(trail["items"]!.AsArray(), e => Assert.Equal("127.0.0.1", (string?)e!["client_address"]));
    }

    [Fact]
    public async Task a_usage_read_leaves_an_event()
    {
        var tenant = await Db.CreateTenantAsync(Tier.Schema);
        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));

        var response = await admin.GetAsync("/api/tenant/usage");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = Assert.Single(await AuditEvents.ReadAsync(Db, tenant), e => e.Action == "usage.read");
        Assert.Equal(("boss", "usage", AuditOutcome.Ok), (read.Sub, read.ResourceType, read.Outcome));
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), read.ResourceId);
    }

    [Fact]
    public async Task writes_and_misses_record_their_outcome_and_result_count()
    {
        var tenant = await Db.CreateTenantAsync(Tier.Schema);
        using var client = fixture.Server.Client(TestKeys.Token(tenant.Id, "bob", Roles.Admin));
        var id = await client.CreateConversationAsync("plans");
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsync($"/api/conversations/{id}", Http.Json(new { title = "new plans" }))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/conversations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/conversations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/conversations?limit=5")).StatusCode);

        var events = await AuditEvents.ReadAsync(Db, tenant);
        var create = Assert.Single(events, e => e.Action == "conversation.create");
        Assert.Equal((AuditOutcome.Ok, 1L, id.ToString(), "admin"), (create.Outcome!.Value, create.ResultCount!.Value, create.ResourceId!, create.Role));
        var update = Assert.Single(events, e => e.Action == "conversation.update");
        Assert.Equal((AuditOutcome.Ok, 1L), (update.Outcome!.Value, update.ResultCount!.Value));
        var delete = Assert.Single(events, e => e.Action == "conversation.delete");
        Assert.Equal((AuditOutcome.Ok, 1L), (delete.Outcome!.Value, delete.ResultCount!.Value));
        var miss = Assert.Single(events, e => e.Action == "conversation.read");
        Assert.Equal((AuditOutcome.NotFound, 0L, id.ToString()), (miss.Outcome!.Value, miss.ResultCount!.Value, miss.ResourceId!));
        var list = Assert.Single(events, e => e.Action == "conversation.list");
        Assert.Equal((AuditOutcome.Ok, 0L), (list.Outcome!.Value, list.ResultCount!.Value));
    }

    [Fact]
    public async Task code_that_does_not_audit_itself_still_gets_a_generic_event_per_batch()
    {
        var tenant = await Db.CreateTenantAsync(Tier.Pooled);
        using var client = fixture.Server.Client(TestKeys.Token(tenant.Id, "carol", Roles.Admin));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tenant/config")).StatusCode);

        var events = await AuditEvents.ReadAsync(Db, tenant);
        var generic = Assert.Single(events, e => e.Action == "GET /api/tenant/config");
        Assert.Equal(("carol", "config"), (generic.Sub, generic.ResourceType));
        Assert.Null(generic.Outcome);
    }

    [Fact]
    public async Task concurrent_requests_of_one_tenant_are_all_recorded_and_verify()
    {
        var tenant = await Db.CreateTenantAsync(Tier.Pooled);
        var other = await Db.CreateTenantAsync(Tier.Pooled);
        using var client = fixture.Server.Client(TestKeys.Token(tenant.Id, "dave"));
        using var otherClient = fixture.Server.Client(TestKeys.Token(other.Id, "dave"));

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? client : otherClient).GetAsync("/api/conversations")));

        var events = await AuditEvents.ReadAsync(Db, tenant);
        Assert.Equal(20, events.Count(e => e.Action == "conversation.list"));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        foreach (var slug in new[] { tenant.Slug, other.Slug })
        {
            var (code, output) = await AuditEvents.VerifyAsync(Db, slug);
            Assert.True(code == 0, output);
        }
    }

    [Fact]
    public async Task a_tenant_admin_pages_through_their_own_trail_with_filters_and_a_member_may_not()
    {
        var tenant = await Db.CreateTenantAsync(Tier.Pooled);
        var other = await Db.CreateTenantAsync(Tier.Pooled);
        using var alice = fixture.Server.Client(TestKeys.Token(tenant.Id, "alice"));
        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        using var stranger = fixture.Server.Client(TestKeys.Token(other.Id, "alice"));
        for (var i = 0; i < 3; i++)
        {
            await alice.CreateConversationAsync($"c{i}");
            await stranger.CreateConversationAsync($"s{i}");
        }

        var mine = await admin.ListAllAsync("/api/tenant/audit?user=alice&action=conversation.create", limit: 2);

        Assert.Equal(3, mine.Count);
        Assert.All(mine, e => Assert.Equal(("alice", "conversation.create"), (e!["sub"]!.GetValue<string>(), e["action"]!.GetValue<string>())));
        var ids = mine.Select(e => e!["id"]!.GetValue<Guid>()).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.All(mine, e => Assert.Equal("ok", e!["outcome"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/tenant/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/tenant/audit?user=%00")).StatusCode);
        using var platform = fixture.Server.Client(TestKeys.PlatformToken());
        var viaPlatform = await platform.GetFromJsonAsync<JsonNode>($"/api/admin/tenants/{tenant.Id}/audit?action=conversation.create");
        Assert.Equal(3, viaPlatform!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task the_server_seals_the_trail_within_seconds_and_publishes_a_checkpoint()
    {
        var tenant = await Db.CreateTenantAsync(Tier.Pooled);
        using var client = fixture.Server.Client(TestKeys.Token(tenant.Id, "erin"));
        var id = await client.CreateConversationAsync("sealed soon");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/conversations/{id}")).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        var (code, output) = await AuditEvents.VerifyAsync(Db, tenant.Slug);
        while (!output.Contains("; 0 event(s) not sealed yet", StringComparison.Ordinal) || !output.Contains("checkpoint of block", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the server did not seal and checkpoint the trail: " + output);
            await Task.Delay(100);
            (code, output) = await AuditEvents.VerifyAsync(Db, tenant.Slug);
        }

        Assert.True(code == 0, output);
        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        var trail = await admin.GetFromJsonAsync<JsonNode>("/api/tenant/audit?action=conversation.read");
        Assert.NotNull(Assert.Single(trail!["items"]!.AsArray())!["sealed_in_block"]);
    }
}
