using Bulkhead.Audit;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Tests.Audit;

/// <summary>The sealer seals each event exactly once, in the right block, however it is interrupted or delayed.</summary>
public sealed class AuditSealerTests(AuditSealerTests.Fixture fixture) : IClassFixture<AuditSealerTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public TrailKit Kit { get; private set; } = null!;

        public async Task InitializeAsync() => Kit = await TrailKit.CreateAsync();

        public async Task DisposeAsync() => await Kit.DisposeAsync();
    }

    // Backends of this database waiting for a lock (pg_locks shows every role's; pg_stat_activity hides their wait events).
    private const string Waiting =
        "select {0} from pg_locks l join pg_stat_activity a on a.pid = l.pid where not l.granted and a.datname = current_database() and a.usename = 'bulkhead_app'";

    private TrailKit Kit => fixture.Kit;

    [Fact]
    public async Task the_leaf_names_every_column_that_the_table_has()
    {
        var columns = new List<string>();
        await using (var command = Kit.Db.Owner.CreateCommand(
            "select attname::text from pg_attribute where attrelid = 'app.audit_events'::regclass and attnum > 0 and not attisdropped order by attnum"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add(reader.GetString(0));
            }
        }

        Assert.Equal(columns.Order(), AuditEvent.ColumnNames.Order());
    }

    [Fact]
    public void the_merkle_root_follows_rfc_6962()
    {
        var a = MerkleTree.Leaf("a"u8);
        var b = MerkleTree.Leaf("b"u8);
        var c = MerkleTree.Leaf("c"u8);
        byte[] Node(byte[] l, byte[] r) => System.Security.Cryptography.SHA256.HashData([0x01, .. l, .. r]);

        Assert.Equal(System.Security.Cryptography.SHA256.HashData([0x00, .. "a"u8]), a);
        Assert.Equal(a, MerkleTree.Root([a]));
        Assert.Equal(Node(Node(a, b), c), MerkleTree.Root([a, b, c]));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleTree.Root([])));
    }

    [Fact]
    public async Task a_sealer_killed_in_the_middle_of_a_block_leaves_nothing_and_its_restart_seals_every_event_once()
    {
        var tenant = await Kit.Db.CreateTenantAsync(Tier.Pooled);
        await Kit.WriteEventsAsync(tenant, 5);
        var last = (await AuditEvents.ReadAsync(Kit.Db, tenant))[^1];
        await Kit.WaitForHorizonAsync(tenant);

        // An open transaction holds a seal of the last event: the sealer writes the first seals of its
        // block, then waits on that row, and is killed there.
        await using var blocker = await Kit.Db.Owner.OpenConnectionAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var seal = new NpgsqlCommand("insert into app.audit_seals (tenant_id, event_id, block, position) values ($1, $2, 999, 0)", blocker, hold))
        {
            seal.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            seal.Parameters.Add(new NpgsqlParameter { Value = last.Id });
            await seal.ExecuteNonQueryAsync();
        }

        var sealing = Task.Run(() => SealUntilItWaitsAsync(tenant));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Kit.Db.ScalarAsync<long>(Kit.Db.Owner, Waiting.Replace("{0}", "count(*)", StringComparison.Ordinal)) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline && !sealing.IsCompleted, "the sealer never waited on the held seal");
            await Task.Delay(20);
        }

        await Kit.Db.SuperuserAsync(Waiting.Replace("{0}", "pg_terminate_backend(l.pid)", StringComparison.Ordinal));
        await Assert.ThrowsAnyAsync<Exception>(() => sealing);
        await hold.RollbackAsync();
        Assert.Equal(0L, await CountAsync("select count(*) from app.audit_blocks where tenant_id = $1", tenant));
        Assert.Equal(0L, await CountAsync("select count(*) from app.audit_seals where tenant_id = $1", tenant));

        await Kit.SealAndCheckpointAsync(tenant);

        Assert.Equal(5L, await CountAsync("select count(distinct event_id) from app.audit_seals where tenant_id = $1", tenant));
        Assert.Equal(5L, await CountAsync("select count(*) from app.audit_seals where tenant_id = $1", tenant));
        var (code, output) = await Kit.VerifyAsync(tenant.Slug);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task a_long_running_transaction_delays_sealing_and_nothing_is_skipped()
    {
        var tenant = await Kit.Db.CreateTenantAsync(Tier.Schema);
        var conversation = await Kit.WriteEventsAsync(tenant, 2);
        var before = (await AuditEvents.ReadAsync(Kit.Db, tenant)).Select(e => e.Id).ToHashSet();

        await using var open = await TenantSession.OpenAsync(tenant.Scope, Kit.Router, TrailKit.Actor("slow"), CancellationToken.None);
        await open.BeginTransactionAsync(CancellationToken.None);
        Assert.NotNull(await new ConversationStore(open, TestKeyRing.Keys).GetAsync(new Viewer("slow", SeesWholeTenant: true), conversation, CancellationToken.None));
        await Kit.WriteEventsAsync(tenant, 3, conversation: conversation);

        // Everything before the open transaction gets sealed (other tests' transactions may delay even that).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!before.All((await SealedAsync(tenant)).Contains))
        {
            Assert.True(DateTime.UtcNow < deadline, "events written before the open transaction were not sealed");
            await Kit.Sealer.SealAllAsync(tenant.Scope, CancellationToken.None);
            await Task.Delay(20);
        }

        Assert.Equal(before.Count, (await SealedAsync(tenant)).Count);
        Assert.Equal(3L, (await Kit.Sealer.UnsealedAsync(tenant.Scope, CancellationToken.None)).Count);

        await open.CommitAsync(CancellationToken.None);
        await Kit.SealAndCheckpointAsync(tenant);

        var events = await AuditEvents.ReadAsync(Kit.Db, tenant);
        Assert.Equal(6, events.Count);
        Assert.Equal(events.Select(e => e.Id).Order(), (await SealedAsync(tenant)).Order());
        var (code, output) = await Kit.VerifyAsync(tenant.Slug);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task sixteen_concurrent_writers_of_one_tenant_and_two_sealers_leave_a_trail_that_verifies()
    {
        var tenant = await Kit.Db.CreateTenantAsync(Tier.Pooled);
        using var stop = new CancellationTokenSource();
        var sealers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var sealer = new AuditSealer(Kit.Router, TimeProvider.System, maxBlockEvents: 7);
            while (!stop.IsCancellationRequested)
            {
                await sealer.SealAllAsync(tenant.Scope, CancellationToken.None);
            }
        })).ToList();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => Kit.WriteEventsAsync(tenant, 12, sub: $"writer-{i}"))));
        await stop.CancelAsync();
        await Task.WhenAll(sealers);
        await Kit.SealAndCheckpointAsync(tenant);

        Assert.Equal(16L * 12, await CountAsync("select count(*) from app.audit_events where tenant_id = $1", tenant));
        Assert.Equal(16L * 12, await CountAsync("select count(*) from app.audit_seals where tenant_id = $1", tenant));
        var (code, output) = await Kit.VerifyAsync(tenant.Slug);
        Assert.True(code == 0, output);
        Assert.Contains($"{16 * 12} event(s) sealed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_runtime_role_can_append_to_the_trail_but_not_rewrite_it()
    {
        var tenant = await Kit.Db.CreateTenantAsync(Tier.Pooled);
        await Kit.WriteEventsAsync(tenant, 2);
        await Kit.SealEverythingAsync(tenant);

        foreach (var statement in new[]
        {
            "update audit_events set sub = 'x' where tenant_id = $1",
            "delete from audit_events where tenant_id = $1",
            "update audit_blocks set events = 0 where tenant_id = $1",
            "delete from audit_blocks where tenant_id = $1",
            "delete from audit_seals where tenant_id = $1",
        })
        {
            await using var session = await TenantSession.OpenAsync(tenant.Scope, Kit.Router, CancellationToken.None);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => session.ExecuteAsync(CancellationToken.None, Sql.Command(statement, tenant.Id)));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    private async Task SealUntilItWaitsAsync(Tenant tenant) => await Kit.Sealer.SealAsync(tenant.Scope, CancellationToken.None);

    private async Task<HashSet<Guid>> SealedAsync(Tenant tenant)
    {
        var source = await Kit.Db.Owners.ForAsync(tenant.Placement, CancellationToken.None);
        await using var command = source.CreateCommand($"select event_id from {tenant.Placement.Schema}.audit_seals where tenant_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private Task<long> CountAsync(string sql, Tenant tenant) => Kit.Db.ScalarAsync<long>(Kit.Db.Owner, sql, tenant.Id);
}
