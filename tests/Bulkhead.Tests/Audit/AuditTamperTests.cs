using Bulkhead.Audit;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Audit;

/// <summary>
/// <c>audit verify</c> detects each kind of tampering by someone who can write the table directly (the
/// owner role), and names the first bad event. Each test tampers with its own tenant.
/// </summary>
public sealed class AuditTamperTests(AuditTamperTests.Fixture fixture) : IClassFixture<AuditTamperTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public TestDatabase Db { get; private set; } = null!;

        public async Task InitializeAsync() => Db = await TestDatabase.CreateAsync();

        public async Task DisposeAsync() => await Db.DisposeAsync();
    }

    private TestDatabase Db => fixture.Db;

    [Theory]
    [InlineData(Tier.Pooled)]
    [InlineData(Tier.Schema)]
    [InlineData(Tier.Database)]
    public async Task an_untouched_chain_verifies_in_every_tier(Tier tier)
    {
        var tenant = await SeedAsync(tier, events: 6);

        var (code, output) = await AuditEvents.VerifyAsync(Db, tenant.Slug);

        Assert.True(code == 0, output);
        Assert.Contains($"ok     {tenant.Slug}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_modified_event_is_named()
    {
        var tenant = await SeedAsync(Tier.Pooled, events: 6);
        await TamperAsync(tenant, "update app.audit_events set status = 404 where tenant_id = $1 and seq = 3");

        await AssertBrokenAtAsync(tenant, 3, "modified");
    }

    [Fact]
    public async Task a_deleted_event_is_named()
    {
        var tenant = await SeedAsync(Tier.Pooled, events: 6);
        await TamperAsync(tenant, "delete from app.audit_events where tenant_id = $1 and seq = 4");

        await AssertBrokenAtAsync(tenant, 5, "deleted");
    }

    [Fact]
    public async Task reordered_events_are_named()
    {
        var tenant = await SeedAsync(Tier.Pooled, events: 6);
        await TamperAsync(tenant, """
            update app.audit_events set seq = 1000 where tenant_id = $1 and seq = 2;
            update app.audit_events set seq = 2 where tenant_id = $1 and seq = 5;
            update app.audit_events set seq = 5 where tenant_id = $1 and seq = 1000;
            """);

        await AssertBrokenAtAsync(tenant, 2, "prev_hash");
    }

    [Fact]
    public async Task an_inserted_event_is_named()
    {
        var tenant = await SeedAsync(Tier.Pooled, events: 6);
        await TamperAsync(tenant, """
            update app.audit_events set seq = seq + 100 where tenant_id = $1 and seq >= 3;
            update app.audit_events set seq = seq - 99 where tenant_id = $1 and seq >= 103;
            insert into app.audit_events (tenant_id, id, seq, occurred_at, sub, role, action, prev_hash, hash)
            select tenant_id, gen_random_uuid(), 3, occurred_at, 'alibi', 'admin', 'conversation.read', hash, sha256('forged'::bytea)
              from app.audit_events where tenant_id = $1 and seq = 2;
            """);

        await AssertBrokenAtAsync(tenant, 3, "modified");
    }

    [Fact]
    public async Task tampering_with_one_tenant_leaves_other_chains_verified()
    {
        var broken = await SeedAsync(Tier.Pooled, events: 3);
        var intact = await SeedAsync(Tier.Pooled, events: 3);
        await TamperAsync(broken, "update app.audit_events set sub = 'someone-else' where tenant_id = $1 and seq = 1");

        var (code, output) = await AuditEvents.VerifyAsync(Db);

        Assert.Equal(1, code);
        Assert.Contains($"BROKEN {broken.Slug}", output, StringComparison.Ordinal);
        Assert.Contains($"ok     {intact.Slug}", output, StringComparison.Ordinal);
    }

    private async Task<Tenant> SeedAsync(Tier tier, int events)
    {
        var tenant = await Db.CreateTenantAsync(tier);
        var actor = new AuditActor("alice", "member", Guid.NewGuid().ToString(), "req-1", "127.0.0.1", "test");
        await using var session = await TenantSession.OpenAsync(tenant.Scope, Db.Router(), actor, CancellationToken.None);
        var store = new ConversationStore(session);
        var viewer = new Viewer("alice", SeesWholeTenant: false);
        var id = (await store.CreateAsync(viewer, "t", CancellationToken.None)).Id;
        for (var i = 1; i < events; i++)
        {
            await store.GetAsync(viewer, id, CancellationToken.None);
        }

        Assert.Equal(events, (await AuditEvents.ReadAsync(Db, tenant)).Count);
        return tenant;
    }

    private async Task TamperAsync(Tenant tenant, string sql)
    {
        await using var batch = Db.Owner.CreateBatch();
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var command = new Npgsql.NpgsqlBatchCommand(statement);
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
    }

    private async Task AssertBrokenAtAsync(Tenant tenant, long seq, string reason)
    {
        var (code, output) = await AuditEvents.VerifyAsync(Db, tenant.Slug);

        Assert.True(code == 1, output);
        Assert.Contains($"BROKEN {tenant.Slug} ({tenant.Id}): first bad event seq {seq} ", output, StringComparison.Ordinal);
        Assert.Contains(reason, output, StringComparison.Ordinal);
    }
}
