using Bulkhead.Compliance;
using Bulkhead.Conversations;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bulkhead.Tests.Tenancy;

/// <summary>A request that resolved a tenant's placement before a move or a delete cannot write there afterwards: the database refuses it.</summary>
public sealed class PlacementFenceTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData(Tier.Pooled, Tier.Schema)]
    [InlineData(Tier.Schema, Tier.Pooled)]
    public async Task a_write_that_resolved_the_old_placement_before_a_move_is_refused_after_the_switch(Tier from, Tier to)
    {
        var tenant = await api.Database.CreateTenantAsync(from);
        await WriteAsync(tenant.Scope, "before the move");

        await MoveAsync(tenant, to);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => WriteAsync(tenant.Scope, "late write to the old placement"));

        // Refused by the fence where the old placement survives (the shared tables), or gone with its schema.
        Assert.True(PlacementFence.IsStale(refused), refused.SqlState);
        var moved = (await api.Database.Catalog.FindAsync(tenant.Id, default))!;
        Assert.Equal(0L, await RowsAsync(tenant.Id, tenant.Placement));
        // The user and the conversation from before the move, and its title's three terms.
        Assert.Equal(5L, await RowsAsync(tenant.Id, moved.Placement));
        await WriteAsync(moved.Scope, "after the move, resolved again");
    }

    [Fact]
    public async Task a_write_that_resolved_the_tenant_before_its_delete_is_refused_and_leaves_no_row()
    {
        var tenant = await api.Database.CreateTenantAsync(Tier.Pooled);
        await WriteAsync(tenant.Scope, "before the delete");

        await api.Database.Provisioner.DeleteAsync(tenant.Id, default);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => WriteAsync(tenant.Scope, "late write after the purge"));

        Assert.Equal(PlacementFence.StaleSqlState, refused.SqlState);
        Assert.Equal(0L, await RowsAsync(tenant.Id, tenant.Placement));
    }

    [Fact]
    public async Task a_move_that_died_between_fencing_the_source_and_the_switch_leaves_the_tenant_writable_after_a_rerun()
    {
        var tenant = await api.Database.CreateTenantAsync(Tier.Pooled);
        var target = TenantMover.Target(tenant.Id, Tier.Schema, Placement.PrimaryServer);
        await new Migrator(api.Database.Owner).MigrateAsync(MigrationSet.Tenant, target.Schema, default);
        await using (var command = api.Database.Owner.CreateCommand("""
            insert into control.moves (tenant_id, phase, from_tier, from_server, from_schema, to_tier, to_server, to_schema)
            values ($1, 'copying', 'pooled', 'primary', 'app', 'schema', 'primary', $2)
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            command.Parameters.Add(new NpgsqlParameter { Value = target.Schema });
            await command.ExecuteNonQueryAsync();
        }

        await using (var connection = await api.Database.Owner.OpenConnectionAsync())
        {
            await PlacementFence.SetAsync(connection, Placement.SharedSchema, tenant.Id, tenant.Epoch + 1, default);
        }

        Assert.Equal(PlacementFence.StaleSqlState, (await Assert.ThrowsAsync<PostgresException>(() => WriteAsync(tenant.Scope, "while fenced"))).SqlState);

        await MoveAsync(tenant, Tier.Schema);
        var moved = (await api.Database.Catalog.FindAsync(tenant.Id, default))!;
        await WriteAsync(moved.Scope, "after the rerun");
        Assert.Equal(Tier.Schema, moved.Placement.Tier);
    }

    [Fact]
    public async Task a_chat_turn_whose_model_call_outlasts_a_move_is_stored_in_the_new_placement()
    {
        var tenant = await api.Database.CreateTenantAsync(Tier.Pooled);
        using var scope = api.Server.Services.CreateScope();
        var chat = scope.ServiceProvider.GetRequiredService<ChatService>();
        var caller = new TenantCaller(tenant, "talker", "member", scope.ServiceProvider.GetRequiredService<IPlacementRouter>(), scope.ServiceProvider.GetRequiredService<Bulkhead.Crypto.KeyRing>());
        var turn = (await chat.PrepareAsync(caller, null, "Where is my order?", default))!;

        await MoveAsync(tenant, Tier.Schema);
        var saved = await turn.Recorder.RecordAsync(turn.Call, new ModelAnswer("It is on its way.", 10, 5, Complete: true, FinishReason: null), default);

        Assert.NotNull(saved.Stored);
        var moved = (await api.Database.Catalog.FindAsync(tenant.Id, default))!;
        var rows = await api.Database.Provisioner.CountAsync(tenant.Id, moved.Placement, default);
        Assert.Equal(2L, rows["messages"]);
        Assert.Equal(0L, await RowsAsync(tenant.Id, tenant.Placement));
    }

    [Fact]
    public async Task a_retention_sweep_planned_before_a_move_sweeps_the_tenant_where_it_lives_now()
    {
        var tenant = await api.Database.CreateTenantAsync(Tier.Pooled, plan: "basic");
        var expired = await WriteAsync(tenant.Scope, "expired");
        await using (var age = api.Database.Owner.CreateCommand("update app.conversations set updated_at = now() - interval '40 days' where tenant_id = $1 and id = $2"))
        {
            age.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            age.Parameters.Add(new NpgsqlParameter { Value = expired });
            await age.ExecuteNonQueryAsync();
        }

        var sweep = api.Server.Services.GetRequiredService<RetentionSweep>();
        var work = (await sweep.PlanAsync(default)).Single(w => w.Scope.TenantId == tenant.Id);
        await MoveAsync(tenant, Tier.Schema);
        var result = await sweep.SweepAsync(work, default);

        Assert.Equal(1, result.Conversations);
        var moved = (await api.Database.Catalog.FindAsync(tenant.Id, default))!;
        Assert.Equal(0L, (await api.Database.Provisioner.CountAsync(tenant.Id, moved.Placement, default))["conversations"]);
    }

    [Fact]
    public async Task a_request_write_held_by_a_moves_switch_waits_and_lands_in_the_new_placement_with_no_503()
    {
        var tenant = await api.Database.CreateTenantAsync(Tier.Pooled);
        await WriteAsync(tenant.Scope, "before the move");
        using var writer = api.Server.Client(TestKeys.Token(tenant.Id, "writer"));
        await using var holder = await api.Database.Owner.OpenConnectionAsync();
        Task<HttpResponseMessage>? write = null;

        // When the mover is about to close the write gate: hold the tenant's write lock first, as the mover
        // will, send a write that waits in the gate, and hand the lock over once the mover queues for it. The
        // write resolved the old placement before the switch, and gets the lock only after it.
        var progress = new SyncProgress(step =>
        {
            if (!step.StartsWith("final switch", StringComparison.Ordinal))
            {
                return;
            }

            Sql(holder, "select pg_advisory_lock(hashtext('bulkhead.tenant'), hashtext($1::text))", tenant.Id).GetAwaiter().GetResult();
            write = writer.PostAsync("/api/conversations", Http.Json(new { title = "held by the switch" }));
            Eventually.UntilAsync(
                async () => write.IsCompleted || await ExistsAsync("select 1 from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'", tenant.Id),
                TimeSpan.FromSeconds(4), "the write waits in the gate").GetAwaiter().GetResult();
            Assert.False(write.IsCompleted, $"the write was answered {(write.IsCompletedSuccessfully ? write.Result.StatusCode : write.Exception)} while the gate was held");
            _ = Task.Run(async () =>
            {
                await Eventually.UntilAsync(() => ExistsAsync(MoverQueued, tenant.Id), TimeSpan.FromSeconds(30), "the mover queues for the lock");
                await Sql(holder, "select pg_advisory_unlock(hashtext('bulkhead.tenant'), hashtext($1::text))", tenant.Id);
            });
        });

        await new TenantMover(api.Database.Owners, api.Database.Provisioner, TimeProvider.System).MoveAsync(tenant.Id, Tier.Schema, null, progress, default);
        using var response = await write!;

        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var moved = (await api.Database.Catalog.FindAsync(tenant.Id, default))!;
        Assert.Equal(2L, (await api.Database.Provisioner.CountAsync(tenant.Id, moved.Placement, default))["conversations"]);
        Assert.Equal(0L, await RowsAsync(tenant.Id, tenant.Placement));
    }

    private const string MoverQueued = """
        select 1 from pg_locks where locktype = 'advisory' and not granted and mode = 'ExclusiveLock'
           and classid = hashtext('bulkhead.tenant')::oid and objid = hashtext($1::text)::oid
        """;

    private async Task<bool> ExistsAsync(string query, Guid tenantId)
    {
        // pg_stat_activity shows other roles' queries to a superuser only.
        await using var connection = new NpgsqlConnection(TestCluster.SuperuserConnection(api.Database.Name));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select exists ({query})", connection);
        if (query.Contains("$1", StringComparison.Ordinal))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        }

        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task Sql(NpgsqlConnection connection, string sql, Guid tenantId)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await command.ExecuteScalarAsync();
    }

    /// <summary>Runs the handler on the mover's own thread, at the moment it reports, unlike <see cref="Progress{T}"/>.</summary>
    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    private async Task<Guid> WriteAsync(TenantScope scope, string title)
    {
        await using var session = await TenantSession.OpenAsync(scope, api.Database.Router(), default);
        return (await new ConversationStore(session, TestKeyRing.Keys).CreateAsync(new Viewer("writer", false), title, default)).Id;
    }

    private Task MoveAsync(Tenant tenant, Tier to) =>
        new TenantMover(api.Database.Owners, api.Database.Provisioner, TimeProvider.System).MoveAsync(tenant.Id, to, null, null, default);

    private async Task<long> RowsAsync(Guid tenantId, Placement placement) =>
        (await api.Database.Provisioner.CountAsync(tenantId, placement, default)).Values.Sum();
}
