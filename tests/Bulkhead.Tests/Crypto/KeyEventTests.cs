using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Crypto;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Cli;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Audit;

namespace Bulkhead.Tests.Crypto;

/// <summary>Keys made, rotated and destroyed are events of the tenant's audit trail, counted by <c>audit verify</c>.</summary>
public sealed class KeyEventTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task key_creation_rotation_and_destruction_are_events_in_the_tenants_trail_and_audit_verify_counts_them()
    {
        var db = fixture.Database;
        var tenant = await db.CreateTenantAsync(Tier.Pooled);
        using var alice = fixture.Server.Client(TestKeys.Token(tenant.Id, "alice"));
        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        var aliceId = (await alice.GetFromJsonAsync<JsonNode>("/api/me"))!["user_id"]!.GetValue<Guid>();

        await alice.CreateConversationAsync("first of alice");
        await alice.CreateConversationAsync("second of alice");

        // The tenant's keys and alice's, each made once; named as in the key provider, never by sub.
        await Eventually.UntilAsync(async () => (await KeyEventsAsync(tenant)).Count(e => e.Action == "key.create") == 2, TimeSpan.FromSeconds(30), "key.create events are written");
        var created = (await KeyEventsAsync(tenant)).Where(e => e.Action == "key.create").Select(e => e.ResourceId).Order().ToList();
        Assert.Equal([KeyNames.Tenant, KeyNames.User("alice")], created);
        // The creates kept one event each: the key's creation did not add one to the request that made it.
        Assert.Equal(2, (await AuditEvents.ReadAsync(db, tenant)).Count(e => e.Action == "conversation.create"));

        var report = await KeysCommand.RotateAsync(
            new KeyRotation(fixture.Server.Services.GetRequiredService<KeyRing>()), new OwnerPlacementRouter(db.Owners), tenant, null, default);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/tenant/users/{aliceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/tenant/users/{aliceId}")).StatusCode);

        var events = await KeyEventsAsync(tenant);
        var rotated = Assert.Single(events, e => e.Action == "key.rotate");
        Assert.Equal((report.DataKey.ToString(), 1L), (rotated.ResourceId, rotated.ResultCount));
        var destroyed = events.Where(e => e.Action == "key.destroy").Select(e => (e.ResourceId, e.Outcome!.Value)).ToList();
        Assert.Equal([(aliceId.ToString(), Bulkhead.Audit.AuditOutcome.Ok), (aliceId.ToString(), Bulkhead.Audit.AuditOutcome.NotFound)], destroyed);
        Assert.DoesNotContain(KeyNames.User("alice"), fixture.Server.Services.GetRequiredService<KeyRing>().Provider.Names(tenant.Id));

        var (code, output) = await AuditEvents.VerifyAsync(db, tenant.Slug);
        Assert.True(code == 0, output);
        Assert.Contains("keys: key.create 2, key.rotate 1, key.destroy 2", output, StringComparison.Ordinal);
    }

    private async Task<List<Bulkhead.Audit.AuditEvent>> KeyEventsAsync(Tenant tenant) =>
        (await AuditEvents.ReadAsync(fixture.Database, tenant)).Where(e => e.Action.StartsWith("key.", StringComparison.Ordinal)).ToList();
}
