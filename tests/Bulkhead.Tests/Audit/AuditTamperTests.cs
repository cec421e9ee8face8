using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Tests.Audit;

/// <summary>
/// <c>audit verify</c> detects each kind of tampering by someone who can write the tables directly (the
/// owner role), and names the tenant and the first bad block. Each test seals three blocks of three
/// events, publishes a checkpoint of the head, then tampers with its own tenant.
/// </summary>
public sealed class AuditTamperTests(AuditTamperTests.Fixture fixture) : IClassFixture<AuditTamperTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public TrailKit Kit { get; private set; } = null!;

        public async Task InitializeAsync() => Kit = await TrailKit.CreateAsync();

        public async Task DisposeAsync() => await Kit.DisposeAsync();
    }

    private TrailKit Kit => fixture.Kit;

    [Theory]
    [InlineData(Tier.Pooled)]
    [InlineData(Tier.Schema)]
    [InlineData(Tier.Database)]
    public async Task an_untouched_trail_verifies_in_every_tier(Tier tier)
    {
        var tenant = await SeedAsync(tier);

        var (code, output) = await Kit.VerifyAsync(tenant.Slug);

        Assert.True(code == 0, output);
        Assert.Contains($"ok     {tenant.Slug} ({tenant.Id}): 9 event(s) sealed in 3 block(s), segment 1; checkpoint of block 3", output, StringComparison.Ordinal);
        Assert.Contains("0 event(s) not sealed yet", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_modified_event_is_named_with_its_block()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        await TamperAsync(tenant, $"update app.audit_events set outcome = 'not_found' where tenant_id = $1 and id = '{await EventAsync(tenant, 2, 1)}'");

        await AssertBrokenAtAsync(tenant, 2, "Merkle root does not match");
    }

    [Fact]
    public async Task a_replaced_client_address_is_named_with_its_block()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        await TamperAsync(tenant, $"update app.audit_client_addresses set address = '10.9.9.9' where tenant_id = $1 and commitment = " +
            $"(select client_address from app.audit_events where tenant_id = $1 and id = '{await EventAsync(tenant, 2, 1)}')");

        // The first block that seals an event of that address row is named.
        await AssertBrokenAtAsync(tenant, 2, "does not open it");
    }

    [Fact]
    public async Task an_erased_client_address_leaves_the_trail_verifying()
    {
        var tenant = await SeedAsync(Tier.Schema);
        await TamperAsync(tenant, "delete from app.audit_client_addresses where tenant_id = $1");

        var (code, output) = await Kit.VerifyAsync(tenant.Slug);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task a_deleted_event_is_named_with_its_block()
    {
        var tenant = await SeedAsync(Tier.Schema);
        await TamperAsync(tenant, $"delete from {tenant.Placement.Schema}.audit_events where tenant_id = $1 and id = '{await EventAsync(tenant, 2, 0)}'");

        await AssertBrokenAtAsync(tenant, 2, "missing from the trail (deleted)");
    }

    [Fact]
    public async Task a_deleted_event_with_its_seal_is_named_with_its_block()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        var id = await EventAsync(tenant, 2, 2);
        await TamperAsync(tenant, $"delete from app.audit_seals where tenant_id = $1 and event_id = '{id}'; delete from app.audit_events where tenant_id = $1 and id = '{id}'");

        await AssertBrokenAtAsync(tenant, 2, "its header says 3");
    }

    [Fact]
    public async Task an_event_inserted_into_sealed_history_is_named_with_its_block()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        var original = await EventAsync(tenant, 2, 1);
        await TamperAsync(tenant, $"""
            insert into app.audit_events (tenant_id, id, occurred_at, xid, sub, role, action, outcome)
            select tenant_id, gen_random_uuid(), occurred_at, xid, 'alibi', 'admin', 'conversation.read', 'ok'
              from app.audit_events where tenant_id = $1 and id = '{original}'
            """);

        await AssertBrokenAtAsync(tenant, 2, "inserted after sealing");
    }

    [Fact]
    public async Task an_event_inserted_with_a_forged_seal_is_named_with_its_block()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        var forged = Guid.NewGuid();
        await TamperAsync(tenant, $"""
            insert into app.audit_events (tenant_id, id, sub, role, action, outcome) values ($1, '{forged}', 'alibi', 'admin', 'conversation.read', 'ok');
            insert into app.audit_seals (tenant_id, event_id, block, position) values ($1, '{forged}', 2, 3)
            """);

        await AssertBrokenAtAsync(tenant, 2, "its header says 3");
    }

    [Fact]
    public async Task reordered_events_are_named_with_their_block()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        await TamperAsync(tenant, """
            update app.audit_seals set position = 100 where tenant_id = $1 and block = 2 and position = 0;
            update app.audit_seals set position = 0 where tenant_id = $1 and block = 2 and position = 2;
            update app.audit_seals set position = 2 where tenant_id = $1 and block = 2 and position = 100
            """);

        await AssertBrokenAtAsync(tenant, 2, "Merkle root does not match");
    }

    [Fact]
    public async Task a_truncated_tail_is_named_against_the_checkpoint()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        await TamperAsync(tenant, """
            delete from app.audit_events e where e.tenant_id = $1 and exists (select 1 from app.audit_seals s where s.tenant_id = $1 and s.event_id = e.id and s.block = 3);
            delete from app.audit_seals where tenant_id = $1 and block = 3;
            delete from app.audit_blocks where tenant_id = $1 and block = 3
            """);

        await AssertBrokenAtAsync(tenant, 3, "the trail was truncated");
    }

    [Fact]
    public async Task a_trail_erased_with_its_seals_is_named_against_the_checkpoint()
    {
        var tenant = await SeedAsync(Tier.Database);
        await TamperAsync(tenant, """
            delete from app.audit_seals where tenant_id = $1;
            delete from app.audit_blocks where tenant_id = $1;
            delete from app.audit_events where tenant_id = $1
            """);

        await AssertBrokenAtAsync(tenant, 1, "the trail is gone");
    }

    [Fact]
    public async Task a_tenant_erased_from_the_control_plane_with_its_trail_is_still_named()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        await TamperAsync(tenant, """
            delete from app.audit_seals where tenant_id = $1;
            delete from app.audit_blocks where tenant_id = $1;
            delete from app.audit_events where tenant_id = $1;
            delete from app.conversations where tenant_id = $1;
            delete from app.users where tenant_id = $1;
            delete from control.placements where tenant_id = $1;
            delete from control.tenants where id = $1
            """);

        var (code, output) = await Kit.VerifyAsync();

        Assert.True(code == 1, output);
        Assert.Contains($"BROKEN (unknown) ({tenant.Id}): first bad block 1: ", output, StringComparison.Ordinal);
        Assert.Contains("the control plane has no such tenant", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_rewritten_block_is_named()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        await TamperAsync(tenant, "update app.audit_blocks set events = 2 where tenant_id = $1 and block = 2");

        await AssertBrokenAtAsync(tenant, 2, "does not match its header");
    }

    [Fact]
    public async Task a_stalled_sealer_is_reported_from_the_checkpoints_age()
    {
        var tenant = await SeedAsync(Tier.Pooled);

        var (code, output) = await Kit.VerifyAsync(tenant.Slug, new Later(TimeSpan.FromMinutes(10)));

        Assert.True(code == 1, output);
        Assert.Contains($"STALLED {tenant.Slug} ({tenant.Id}): the newest checkpoint is 10m old", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task checkpoints_that_another_key_signed_do_not_count_as_an_anchor()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        var path = Path.Combine(Path.GetTempPath(), "bulkhead-other-key-" + Guid.NewGuid().ToString("N") + ".pem");
        using var other = Bulkhead.Host.Audit.CheckpointKeyFile.Load(path);
        File.Delete(path);

        var (code, output) = await AuditEvents.VerifyAsync(Kit.Db, tenant.Slug, Kit.Checkpoints, other);

        Assert.True(code == 1, output);
        Assert.Contains($"BROKEN {tenant.Slug} ({tenant.Id}): first bad block 1: the tenant has 1 checkpoint(s), but none verifies with signing key {other.KeyId}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task unsealed_events_are_counted_and_not_a_failure()
    {
        var tenant = await SeedAsync(Tier.Pooled);
        await Kit.WriteEventsAsync(tenant, 4);

        var (code, output) = await Kit.VerifyAsync(tenant.Slug);

        Assert.True(code == 0, output);
        Assert.Contains("4 event(s) not sealed yet, sealer lag", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task tampering_with_one_tenant_leaves_the_other_trails_verified()
    {
        var broken = await SeedAsync(Tier.Pooled);
        var intact = await SeedAsync(Tier.Pooled);
        await TamperAsync(broken, $"update app.audit_events set sub = 'someone-else' where tenant_id = $1 and id = '{await EventAsync(broken, 1, 0)}'");

        var (code, output) = await Kit.VerifyAsync();

        Assert.Equal(1, code);
        Assert.Contains($"BROKEN {broken.Slug} ({broken.Id}): first bad block 1: ", output, StringComparison.Ordinal);
        Assert.Contains($"ok     {intact.Slug}", output, StringComparison.Ordinal);
    }

    private async Task<Tenant> SeedAsync(Tier tier)
    {
        var tenant = await Kit.Db.CreateTenantAsync(tier);
        var conversation = await Kit.WriteEventsAsync(tenant, 3);
        await Kit.SealEverythingAsync(tenant);
        await Kit.WriteEventsAsync(tenant, 3, conversation: conversation);
        await Kit.SealEverythingAsync(tenant);
        await Kit.WriteEventsAsync(tenant, 3, conversation: conversation);
        var checkpoint = await Kit.SealAndCheckpointAsync(tenant);
        Assert.Equal((3L, 9L), (checkpoint.Block, checkpoint.Events));
        return tenant;
    }

    private async Task<Guid> EventAsync(Tenant tenant, long block, int position)
    {
        var source = await Kit.Db.Owners.ForAsync(tenant.Placement, CancellationToken.None);
        await using var command = source.CreateCommand(
            $"select event_id from {tenant.Placement.Schema}.audit_seals where tenant_id = $1 and block = $2 and position = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = block });
        command.Parameters.Add(new NpgsqlParameter { Value = position });
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    // As the owner of the tenant's own database: a database-tier tenant's trail is not in the control plane's.
    private async Task TamperAsync(Tenant tenant, string sql)
    {
        var schema = tenant.Placement.Schema;
        var controlStatements = sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var statement in controlStatements)
        {
            var source = statement.Contains("control.", StringComparison.Ordinal) ? Kit.Db.Owner : await Kit.Db.Owners.ForAsync(tenant.Placement, CancellationToken.None);
            await using var command = source.CreateCommand(statement.Replace("app.", schema + ".", StringComparison.Ordinal));
            command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task AssertBrokenAtAsync(Tenant tenant, long block, string reason)
    {
        var (code, output) = await Kit.VerifyAsync(tenant.Slug);

        Assert.True(code == 1, output);
        Assert.True(output.Contains($"BROKEN {tenant.Slug} ({tenant.Id}): first bad block {block}: ", StringComparison.Ordinal), output);
        Assert.True(output.Contains(reason, StringComparison.Ordinal), output);
    }

    private sealed class Later(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + by;
    }
}
