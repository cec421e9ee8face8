using System.Diagnostics;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// Moves a tenant between placements online. Bulk copy with binary COPY while the tenant keeps reading
/// and writing; then the final switch: the tenant's write gate is closed (its writes get 503; its reads
/// carry on, the audit trail is never gated), the copy is brought up to date and verified table by table
/// (row counts and checksums), the source is fenced at the next placement epoch (see <see cref="PlacementFence"/>),
/// the placement is switched in the control plane and the gate reopens. A request that resolved the source
/// is refused there by the database from then on. After every server's tenant cache has expired, the
/// source's audit trail is closed and appended to the target's (see <see cref="TrailMove"/>), and the
/// source is purged. A crash at any point leaves the tenant whole where the control plane says
/// it is; running the move again finishes or restarts it.
/// </summary>
public sealed class TenantMover(OwnerSources owners, TenantProvisioner provisioner, TimeProvider time)
{
    /// <summary>Catch-up rounds at most before the writes are held for the last one.</summary>
    private const int OnlineRounds = 3;

    /// <summary>
    /// How long the audit trail of the source stays open after the switch: longer than any server caches a
    /// placement, since reads write their events where they resolved the tenant. Writes are not held for it:
    /// the source's fence refuses them in the database from the switch on.
    /// </summary>
    public static readonly TimeSpan TrailGrace = TenantDirectory.TimeToLive + TimeSpan.FromSeconds(1);

    private TenantCatalog Catalog => new(owners.ControlPlane);

    public async Task<MoveReport> MoveAsync(Guid tenantId, Tier tier, string? server, IProgress<string>? progress, CancellationToken ct)
    {
        await using var held = await TenantLock.AcquireAsync(owners.ControlPlane, tenantId, ct);
        try
        {
            return await MoveLockedAsync(held.Connection, tenantId, tier, server ?? Placement.PrimaryServer, progress, ct);
        }
        catch (Exception e)
        {
            await MoveStatus.RecordFailureAsync(held.Connection, tenantId, e);
            throw;
        }
    }

    private async Task<MoveReport> MoveLockedAsync(NpgsqlConnection control, Guid tenantId, Tier tier, string server, IProgress<string>? progress, CancellationToken ct)
    {
        var tenant = await Catalog.FindAsync(tenantId, ct) ?? throw new TenantRuleException("no such tenant.");
        if (tenant.Status is not (TenantStatus.Active or TenantStatus.Suspended))
        {
            throw new TenantRuleException($"tenant {tenant.Slug} is {TenantCatalog.Lower(tenant.Status)}; only active or suspended tenants move.");
        }

        await FinishInterruptedAsync(control, tenant, progress, ct);
        tenant = (await Catalog.FindAsync(tenantId, ct))!;
        var from = tenant.Placement;
        var to = Target(tenantId, tier, server);
        if (from.Tier == to.Tier && from.Server == to.Server && from.Database == to.Database && from.Schema == to.Schema)
        {
            throw new TenantRuleException($"tenant {tenant.Slug} is already {TenantCatalog.Lower(tier)} on {server}.");
        }

        if (tier != Tier.Database && server != Placement.PrimaryServer)
        {
            throw new TenantRuleException("--server applies to the database tier only.");
        }

        await owners.Servers.FindAsync(server, ct);
        var clock = Stopwatch.StartNew();
        var epoch = tenant.Epoch + 1;
        await RecordMoveAsync(control, tenantId, "copying", from, to, ct);
        var steps = new MoveSteps(control, tenantId, progress);
        await steps.StepAsync($"preparing {Describe(to)}", ct);
        await PrepareTargetAsync(to, ct);
        await PlacementFence.SetAsync(owners, to, tenantId, epoch, ct);

        await using var source = await (await owners.ForAsync(from, ct)).OpenConnectionAsync(ct);
        await using var target = await (await owners.ForAsync(to, ct)).OpenConnectionAsync(ct);
        var sourceVersion = await Migrator.CurrentVersionAsync(source, from.Schema, ct);
        var targetVersion = await Migrator.CurrentVersionAsync(target, to.Schema, ct);
        if (sourceVersion != targetVersion)
        {
            throw new TenantRuleException($"source is at migration {sourceVersion} and target at {targetVersion}; run './bulkhead migrate' first.");
        }

        var tables = new List<TableCopy>();
        foreach (var name in (await TenantTables.ListAsync(source, from.Schema, ct)).Where(n => !TenantTableRules.IsTrail(n)))
        {
            tables.Add(await TableCopy.DescribeAsync(source, from.Schema, name, ct));
        }

        var trail = await TrailMove.DescribeAsync(source, from.Schema, ct);

        // One snapshot of the source for every table, so that the copy is consistent across foreign keys.
        var copyClock = Stopwatch.StartNew();
        await using (var snapshot = await source.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct))
        await using (var load = await target.BeginTransactionAsync(ct))
        {
            var bulk = await DeferIndexesAsync(target, to, [.. tables, .. trail], ct);
            var deferred = to.Tier == Tier.Pooled && await DeferredReferences.TryDeferAsync(target, ct);
            var sizes = new List<long>();
            foreach (var table in tables)
            {
                sizes.Add(await table.CountAsync(tenantId, source, from.Schema, ct));
            }

            long copiedRows = 0;
            await steps.StepAsync("copying", ct, 0, sizes.Sum());
            for (var i = 0; i < tables.Count; i++)
            {
                await steps.StepAsync($"copying {tables[i].Table}", ct, copiedRows);
                await tables[i].CopyAllAsync(tenantId, source, from.Schema, target, to.Schema, ct, inIndexOrder: bulk is null);
                copiedRows += sizes[i];
            }

            await steps.StepAsync("copying the audit trail", ct, copiedRows);
            await TrailMove.CopyAsync(trail, tenantId, source, from.Schema, target, to.Schema, ct);
            if (bulk is not null)
            {
                await steps.StepAsync("building the target's keys, indexes and foreign keys", ct);
                await bulk.RebuildAsync(target, _ => { }, ct);
            }

            if (deferred)
            {
                await steps.StepAsync("checking the copy's references", ct);
                await DeferredReferences.VerifyAsync(target, to.Schema, [.. tables.Concat(trail).Select(t => t.Table)], tenantId, ct);
            }

            await load.CommitAsync(ct);
            await snapshot.CommitAsync(ct);
        }

        var copied = copyClock.Elapsed;

        // Online catch-up rounds while the tenant keeps writing, so that the frozen round has only the last delta.
        var catchUp = new CatchUp(tables, tenantId, source, from.Schema, target, to.Schema);
        await catchUp.StartAsync(ct);
        for (var round = 0; round < OnlineRounds && await catchUp.RoundAsync(verify: false, ct) > 0; round++)
        {
            await steps.StepAsync($"caught up round {round + 1}", ct);
        }

        await steps.StepAsync("final switch: closing the write gate", ct);
        long synced;
        var gate = Stopwatch.StartNew();
        await using (var gateConnection = await (await owners.ForAsync(from, ct)).OpenConnectionAsync(ct))
        {
            // Waits for in-flight writes of this tenant, then makes new ones fail fast (the write gate trigger).
            await ScalarAsync<object>(gateConnection, "select pg_advisory_lock(hashtext('bulkhead.tenant'), hashtext($1::text))", ct, tenantId);
            try
            {
                synced = await catchUp.RoundAsync(verify: true, ct);

                // The fence first, then the switch: a crash between the two leaves the tenant unwritable
                // (until the move is rerun), never writable in a placement about to be purged.
                await PlacementFence.SetAsync(gateConnection, from.Schema, tenantId, epoch, ct);
                await SwitchAsync(control, tenantId, to, epoch, ct);
                progress?.Report($"switched to {Describe(to)} at epoch {epoch}");
            }
            finally
            {
                await ScalarAsync<object>(gateConnection, "select pg_advisory_unlock(hashtext('bulkhead.tenant'), hashtext($1::text))", CancellationToken.None, tenantId);
            }
        }

        var blocked = gate.Elapsed;
        var counts = new SortedDictionary<string, long>(catchUp.Rows.ToDictionary(), StringComparer.Ordinal);
        await steps.StepAsync($"keeping the source's audit trail open {TrailGrace.TotalSeconds:0}s until every server has seen the switch", ct);
        await Task.Delay(TrailGrace, time, ct);
        foreach (var (table, rows) in await new TrailMove(owners, time).CloseAsync(tenantId, from, to, progress, ct))
        {
            counts[table] = rows;
        }

        await steps.StepAsync($"purging {Describe(from)}{(from.Tier == Tier.Pooled ? " and vacuuming the shared tables" : "")}", ct);
        await PurgeAndForgetAsync(control, tenant, from, ct);
        var total = counts.Values.Sum();
        return new MoveReport(tenantId, tenant.Slug, Describe(from), Describe(to), counts, synced, copied, blocked, clock.Elapsed,
            copied.TotalSeconds > 0 ? total / copied.TotalSeconds : total);
    }

    // A move that was interrupted: before the switch, the target is half-made and is thrown away;
    // after it, only the purge of the source was left to do.
    private async Task FinishInterruptedAsync(NpgsqlConnection control, Tenant tenant, IProgress<string>? progress, CancellationToken ct)
    {
        if (await MoveRecord.FindAsync(control, tenant.Id, ct) is not { } move)
        {
            return;
        }

        var (phase, from, to) = move;
        if (phase == "purging")
        {
            progress?.Report($"finishing an interrupted move: closing the audit trail and purging {Describe(from)}");
            await new TrailMove(owners, time).CloseAsync(tenant.Id, from, to, progress, ct);
            await PurgeAndForgetAsync(control, tenant, from, ct);
        }
        else
        {
            progress?.Report($"restarting an interrupted move: discarding the partial copy in {Describe(to)}");
            await provisioner.PurgeAsync(tenant.Id, to, ct);
            // The crash may have come between fencing the source and the switch: the source is live again.
            await PlacementFence.SetAsync(owners, from, tenant.Id, tenant.Epoch, ct);
            await ExecuteAsync(control, "delete from control.moves where tenant_id = $1", ct, tenant.Id);
        }
    }

    private async Task PurgeAndForgetAsync(NpgsqlConnection control, Tenant tenant, Placement from, CancellationToken ct)
    {
        await provisioner.PurgeAsync(tenant.Id, from, ct);
        await using var done = new NpgsqlBatch(control);
        done.BatchCommands.Add(Sql.Command("delete from control.moves where tenant_id = $1", tenant.Id));
        done.BatchCommands.Add(TenantEvents.Record(tenant.Id, TenantEvents.Moved, new { from = Describe(from) }));
        await done.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A schema or database of the tenant's own holds no other tenant's rows, so while its tables are empty
    /// their keys, indexes and foreign keys are dropped for the bulk load and rebuilt after it, in the load's
    /// transaction (several times faster than maintaining them row by row). Never in the pooled tier, whose
    /// tables other tenants use meanwhile. Null when there is nothing to defer.
    /// </summary>
    private static async Task<BulkIndexes?> DeferIndexesAsync(NpgsqlConnection target, Placement to, IReadOnlyList<TableCopy> tables, CancellationToken ct)
    {
        if (to.Tier == Tier.Pooled)
        {
            return null;
        }

        var empty = new List<string>();
        foreach (var table in tables)
        {
            if (await table.IsEmptyAsync(target, to.Schema, ct))
            {
                empty.Add(table.Table);
            }
        }

        if (empty.Count == 0)
        {
            return null;
        }

        var bulk = await BulkIndexes.CaptureAsync(target, to.Schema, empty, ct);
        await bulk.DropAsync(target, ct);
        return bulk;
    }

    private async Task PrepareTargetAsync(Placement to, CancellationToken ct)
    {
        switch (to.Tier)
        {
            case Tier.Schema:
                await new Migrator(owners.ControlPlane).MigrateAsync(MigrationSet.Tenant, to.Schema, ct);
                break;
            case Tier.Database:
                await provisioner.DropDatabaseAsync(to.Server, to.Database!, ct);
                await provisioner.CreateDatabaseAsync(to.Server, to.Database!, ct);
                await new Migrator(await owners.ForAsync(to, ct)).MigrateAsync(MigrationSet.Tenant, to.Schema, ct);
                break;
            default:
                break;
        }
    }

    private static async Task SwitchAsync(NpgsqlConnection control, Guid tenantId, Placement to, long epoch, CancellationToken ct)
    {
        await using var transaction = await control.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(control, transaction);
        batch.BatchCommands.Add(Sql.Command(
            "update control.placements set tier = $2, server = $3, database = $4, schema_name = $5, epoch = $6 where tenant_id = $1",
            tenantId, TenantCatalog.Lower(to.Tier), to.Server, to.Database, to.Schema, epoch));
        batch.BatchCommands.Add(Sql.Command("update control.moves set phase = 'purging', updated_at = now() where tenant_id = $1", tenantId));
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private static Task RecordMoveAsync(NpgsqlConnection control, Guid tenantId, string phase, Placement from, Placement to, CancellationToken ct) =>
        ExecuteAsync(control, """
            insert into control.moves (tenant_id, phase, from_tier, from_server, from_database, from_schema, to_tier, to_server, to_database, to_schema)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, ct, tenantId, phase, TenantCatalog.Lower(from.Tier), from.Server, from.Database, from.Schema,
            TenantCatalog.Lower(to.Tier), to.Server, to.Database, to.Schema);

    public static Placement Target(Guid tenantId, Tier tier, string server) => tier switch
    {
        Tier.Pooled => Placement.Pooled,
        Tier.Schema => new Placement(Tier.Schema, Placement.PrimaryServer, null, TenantProvisioner.SchemaFor(tenantId)),
        _ => new Placement(Tier.Database, server, TenantProvisioner.DatabaseFor(tenantId), Placement.SharedSchema),
    };

    public static string Describe(Placement p) =>
        $"{TenantCatalog.Lower(p.Tier)} ({p.Server}{(p.Database is null ? "" : "/" + p.Database)}, schema {p.Schema})";

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] args)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] args)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        await command.ExecuteNonQueryAsync(ct);
    }
}

public sealed record MoveReport(
    Guid TenantId, string Slug, string From, string To, IReadOnlyDictionary<string, long> Rows, long RowsSyncedDuringSwitch,
    TimeSpan CopyTime, TimeSpan WritesBlocked, TimeSpan Total, double RowsPerSecond);
