using System.Net;
using System.Net.Http.Json;
using Bulkhead.Conversations;
using Bulkhead.Host.Hosting;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Bulkhead.Tests.Tenancy;

/// <summary>Offboarding is a state that ends only when every placement the tenant had is empty, whoever gives up on the way.</summary>
public sealed class OffboardingTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task a_delete_whose_client_gives_up_still_purges_every_row()
    {
        var tenant = await TenantWithContentAsync();
        await using (var blocker = await PurgeBlockerAsync(tenant))
        {
            using var platform = api.Server.Client(TestKeys.PlatformToken());
            using var giveUp = new CancellationTokenSource();
            var delete = platform.DeleteAsync($"/api/admin/tenants/{tenant.Id}", giveUp.Token);
            await Eventually.UntilAsync(PurgeIsBlockedAsync, TimeSpan.FromMinutes(1), "the purge waits for the blocking transaction");
            Assert.Equal("deleting", await StatusAsync(tenant));

            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delete);
        }

        await Eventually.UntilAsync(async () => await StatusAsync(tenant) == "deleted", TimeSpan.FromMinutes(1), "the offboarding finishes without its client");
        Assert.Equal(0L, await RowsAsync(tenant, tenant.Placement));
        using var member = api.Server.Client(TestKeys.Token(tenant.Id, "someone"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.GetAsync("/api/conversations")).StatusCode);
    }

    [Fact]
    public async Task a_tenant_left_deleting_is_finished_by_a_second_delete_and_not_answered_404()
    {
        var tenant = await TenantWithContentAsync();
        await InterruptedDeleteAsync(tenant);
        Assert.Equal("deleting", await StatusAsync(tenant));
        Assert.True(await RowsAsync(tenant, tenant.Placement) > 0);

        using var platform = api.Server.Client(TestKeys.PlatformToken());
        var again = await platform.DeleteAsync($"/api/admin/tenants/{tenant.Id}");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("deleted", await StatusAsync(tenant));
        Assert.Equal(0L, await RowsAsync(tenant, tenant.Placement));
        Assert.Equal(HttpStatusCode.NotFound, (await platform.DeleteAsync($"/api/admin/tenants/{tenant.Id}")).StatusCode);
    }

    [Fact]
    public async Task a_tenant_left_deleting_is_finished_by_the_offboarding_sweep()
    {
        var tenant = await TenantWithContentAsync();
        await InterruptedDeleteAsync(tenant);

        await api.Server.Services.GetRequiredService<OffboardingService>().RunOnceAsync(CancellationToken.None);

        Assert.Equal("deleted", await StatusAsync(tenant));
        Assert.Equal(0L, await RowsAsync(tenant, tenant.Placement));
    }

    [Fact]
    public async Task a_delete_purges_the_copy_an_interrupted_move_left_behind()
    {
        var tenant = await TenantWithContentAsync();
        var target = TenantMover.Target(tenant.Id, Tier.Schema, Placement.PrimaryServer);
        await new Migrator(api.Database.Owner).MigrateAsync(MigrationSet.Tenant, target.Schema, default);
        await ExecuteAsync($"insert into {target.Schema}.users (tenant_id, id, sub) values ($1, $2, 'half-copied')", tenant.Id, Guid.CreateVersion7());
        await ExecuteAsync("""
            insert into control.moves (tenant_id, phase, from_tier, from_server, from_schema, to_tier, to_server, to_schema)
            values ($1, 'copying', 'pooled', 'primary', 'app', 'schema', 'primary', $2)
            """, tenant.Id, target.Schema);

        using var platform = api.Server.Client(TestKeys.PlatformToken());
        Assert.Equal(HttpStatusCode.OK, (await platform.DeleteAsync($"/api/admin/tenants/{tenant.Id}")).StatusCode);

        Assert.False(await api.Database.ScalarAsync<bool>(api.Database.Owner, "select exists (select 1 from pg_namespace where nspname = $1)", target.Schema));
        Assert.Equal(0L, await RowsAsync(tenant, tenant.Placement));
        Assert.Equal(0L, await api.Database.ScalarAsync<long>(api.Database.Owner, "select count(*) from control.moves where tenant_id = $1", tenant.Id));
    }

    [Fact]
    public async Task a_delete_or_a_suspension_while_a_move_holds_the_tenant_is_refused_with_409()
    {
        var tenant = await TenantWithContentAsync();
        using var platform = api.Server.Client(TestKeys.PlatformToken());
        await using (await TenantLock.AcquireAsync(api.Database.Owner, tenant.Id, default))
        {
            Assert.Equal(HttpStatusCode.Conflict, (await platform.DeleteAsync($"/api/admin/tenants/{tenant.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, (await platform.PatchAsJsonAsync($"/api/admin/tenants/{tenant.Id}", new { status = "suspended" })).StatusCode);
            Assert.Equal("active", await StatusAsync(tenant));
            Assert.True(await RowsAsync(tenant, tenant.Placement) > 0);
        }

        Assert.Equal(HttpStatusCode.OK, (await platform.DeleteAsync($"/api/admin/tenants/{tenant.Id}")).StatusCode);
    }

    [Fact]
    public async Task a_deleting_tenant_can_neither_be_resumed_nor_moved()
    {
        var tenant = await TenantWithContentAsync();
        await InterruptedDeleteAsync(tenant);
        using var platform = api.Server.Client(TestKeys.PlatformToken());

        Assert.Equal(HttpStatusCode.NotFound, (await platform.PatchAsJsonAsync($"/api/admin/tenants/{tenant.Id}", new { status = "active" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await platform.PostAsJsonAsync($"/api/admin/tenants/{tenant.Id}/move", new { tier = "schema" })).StatusCode);
        Assert.Equal("deleting", await StatusAsync(tenant));
    }

    private async Task<Tenant> TenantWithContentAsync()
    {
        var tenant = await api.Database.CreateTenantAsync(Tier.Pooled);
        await using var session = await TenantSession.OpenAsync(tenant.Scope, api.Database.Router(), default);
        var store = new ConversationStore(session, TestKeyRing.Keys);
        for (var i = 0; i < 3; i++)
        {
            var viewer = new Viewer($"user-{i}", false);
            var conversation = await store.CreateAsync(viewer, $"doomed {i}", default);
            await store.AddMessageAsync(viewer, conversation.Id, "user", "to be offboarded", default);
        }

        return tenant;
    }

    // A delete that stopped half-way: its purge waits on a row lock and its caller cancels it.
    private async Task InterruptedDeleteAsync(Tenant tenant)
    {
        await using var blocker = await PurgeBlockerAsync(tenant);
        using var cancel = new CancellationTokenSource();
        var delete = api.Database.Provisioner.DeleteAsync(tenant.Id, cancel.Token);
        await Eventually.UntilAsync(PurgeIsBlockedAsync, TimeSpan.FromMinutes(1), "the purge waits for the blocking transaction");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => delete);
    }

    /// <summary>A connection whose open transaction locks one of the tenant's conversations until it is disposed.</summary>
    private async Task<Npgsql.NpgsqlConnection> PurgeBlockerAsync(Tenant tenant)
    {
        var connection = await api.Database.Owner.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new Npgsql.NpgsqlCommand("select id from app.conversations where tenant_id = $1 limit 1 for update", connection, transaction);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
        await command.ExecuteScalarAsync();
        return connection;
    }

    private Task<bool> PurgeIsBlockedAsync() => api.Database.ScalarAsync<bool>(api.Database.Owner, """
        select exists (select 1 from pg_stat_activity
                        where datname = current_database() and wait_event_type = 'Lock' and query like 'delete from "app".%')
        """);

    private Task<string> StatusAsync(Tenant tenant) =>
        api.Database.ScalarAsync<string>(api.Database.Owner, "select status from control.tenants where id = $1", tenant.Id);

    private async Task<long> RowsAsync(Tenant tenant, Placement placement) =>
        (await api.Database.Provisioner.CountAsync(tenant.Id, placement, default)).Values.Sum();

    private async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var command = api.Database.Owner.CreateCommand(sql);
        foreach (var arg in args)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = arg });
        }

        await command.ExecuteNonQueryAsync();
    }
}
