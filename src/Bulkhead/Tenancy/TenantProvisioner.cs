using Bulkhead.Crypto;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// Creates and offboards tenants in every tier, atomically: a failure leaves no half-made schema,
/// database or catalog row. Runs as the owner role.
/// </summary>
public sealed class TenantProvisioner(OwnerSources owners, KeyRing? keys = null)
{
    private TenantCatalog Catalog => new(owners.ControlPlane);

    public static string SchemaFor(Guid tenantId) => "t_" + tenantId.ToString("N");

    public static string DatabaseFor(Guid tenantId) => "bulkhead_t_" + tenantId.ToString("N");

    public async Task<Tenant> CreateAsync(string slug, string name, string plan, Tier tier, string? server, CancellationToken ct)
    {
        TenantRules.Validate(slug, name, plan, await new PlanCatalog(owners.ControlPlane).NamesAsync(ct));
        var id = Guid.CreateVersion7();
        var serverName = server ?? Placement.PrimaryServer;
        if (tier != Tier.Database && serverName != Placement.PrimaryServer)
        {
            throw new TenantRuleException("--server applies to the database tier only; pooled and schema tenants live on the primary server.");
        }

        await owners.Servers.FindAsync(serverName, ct);
        switch (tier)
        {
            case Tier.Pooled:
                return await Catalog.CreateAsync(slug, name, plan, ct);
            case Tier.Schema:
                await CreateInSchemaAsync(id, slug, name, plan, ct);
                break;
            default:
                await CreateInDatabaseAsync(id, slug, name, plan, serverName, ct);
                break;
        }

        return (await Catalog.FindAsync(id, ct))!;
    }

    // DDL is transactional in PostgreSQL: the catalog rows and the whole schema commit together or not at all.
    private async Task CreateInSchemaAsync(Guid id, string slug, string name, string plan, CancellationToken ct)
    {
        var placement = new Placement(Tier.Schema, Placement.PrimaryServer, null, SchemaFor(id));
        await using var connection = await owners.ControlPlane.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await TenantCatalog.InsertAsync(connection, transaction, id, slug, name, plan, TenantStatus.Active, placement, ct);
        await Migrator.MigrateInTransactionAsync(connection, transaction, MigrationSet.Tenant, placement.Schema, ct);
        await transaction.CommitAsync(ct);
    }

    // CREATE DATABASE cannot run in a transaction: the catalog row is written first as 'provisioning'
    // (unusable), and every failure drops what was made before it is reported.
    private async Task CreateInDatabaseAsync(Guid id, string slug, string name, string plan, string server, CancellationToken ct)
    {
        var database = DatabaseFor(id);
        var placement = new Placement(Tier.Database, server, database, Placement.SharedSchema);
        await using (var connection = await owners.ControlPlane.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await TenantCatalog.InsertAsync(connection, transaction, id, slug, name, plan, TenantStatus.Provisioning, placement, ct);
            await transaction.CommitAsync(ct);
        }

        try
        {
            await CreateDatabaseAsync(server, database, ct);
            await new Migrator(await owners.ForAsync(server, database, ct)).MigrateAsync(MigrationSet.Tenant, Placement.SharedSchema, ct);
            await Catalog.SetStatusAsync(id, TenantStatus.Active, ct);
        }
        catch
        {
            await DropDatabaseAsync(server, database, CancellationToken.None);
            await using var delete = owners.ControlPlane.CreateCommand("delete from control.tenants where id = $1");
            delete.Parameters.Add(new NpgsqlParameter { Value = id });
            await delete.ExecuteNonQueryAsync(CancellationToken.None);
            throw;
        }
    }

    public async Task CreateDatabaseAsync(string server, string database, CancellationToken ct)
    {
        var maintenance = await owners.ForAsync(server, "postgres", ct);
        await using var create = maintenance.CreateCommand($"create database {Migrator.Quote(database)}");
        await create.ExecuteNonQueryAsync(ct);
        await using var restrict = (await owners.ForAsync(server, database, ct)).CreateCommand(
            $"revoke all on database {Migrator.Quote(database)} from public; grant connect on database {Migrator.Quote(database)} to bulkhead_app");
        await restrict.ExecuteNonQueryAsync(ct);
    }

    public async Task DropDatabaseAsync(string server, string database, CancellationToken ct)
    {
        await owners.ForgetAsync(server, database);
        var maintenance = await owners.ForAsync(server, "postgres", ct);
        await using var drop = maintenance.CreateCommand($"drop database if exists {Migrator.Quote(database)} with (force)");
        await drop.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Removes every row of the tenant from a placement: the rows of shared tables, or the whole schema or database.</summary>
    public async Task PurgeAsync(Guid tenantId, Placement placement, CancellationToken ct)
    {
        switch (placement.Tier)
        {
            case Tier.Pooled:
                var source = await owners.ForAsync(placement, ct);
                await using (var connection = await source.OpenConnectionAsync(ct))
                {
                    var tables = await TenantTables.ListAsync(connection, placement.Schema, ct);
                    await using var transaction = await connection.BeginTransactionAsync(ct);
                    await using var batch = new NpgsqlBatch(connection, transaction);
                    foreach (var table in tables.Reverse())
                    {
                        batch.BatchCommands.Add(Sql.Command($"delete from {Migrator.Quote(placement.Schema)}.{Migrator.Quote(table)} where tenant_id = $1", tenantId));
                    }

                    await batch.ExecuteNonQueryAsync(ct);
                    await transaction.CommitAsync(ct);

                    // The deleted rows stay on disk as dead tuples, and their index entries with them, until a
                    // vacuum: a shared table's autovacuum waits for a fifth of the table to be dead, which a
                    // tenant seldom is. A tenant that comes back (a move there and back, or a move restarted
                    // after its partial copy was discarded) would find its own keys in the unique indexes and
                    // check each against the heap, a third of its load's time at 200,000 rows. Only the tables
                    // the purge deleted from: a vacuum of a large shared table is not free.
                    var purged = tables.Reverse().Where((_, i) => batch.BatchCommands[i].RecordsAffected > 0).ToList();
                    if (purged.Count > 0)
                    {
                        await using var vacuum = new NpgsqlCommand(
                            "vacuum " + string.Join(", ", purged.Select(t => $"{Migrator.Quote(placement.Schema)}.{Migrator.Quote(t)}")), connection)
                        { CommandTimeout = 0 };
                        await vacuum.ExecuteNonQueryAsync(ct);
                    }
                }

                break;
            case Tier.Schema when placement.Database is null:
                await using (var drop = owners.ControlPlane.CreateCommand($"drop schema if exists {Migrator.Quote(placement.Schema)} cascade"))
                {
                    await drop.ExecuteNonQueryAsync(ct);
                }

                break;
            default:
                await DropDatabaseAsync(placement.Server, placement.Database!, ct);
                break;
        }
    }

    /// <summary>Rows per tenant table in the tenant's placement (0 for a placement that no longer exists).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(Guid tenantId, Placement placement, CancellationToken ct)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        NpgsqlDataSource source;
        try
        {
            source = await owners.ForAsync(placement, ct);
            await using var connection = await source.OpenConnectionAsync(ct);
            foreach (var table in await TenantTables.ListAsync(connection, placement.Schema, ct))
            {
                await using var count = new NpgsqlCommand($"select count(*) from {Migrator.Quote(placement.Schema)}.{Migrator.Quote(table)} where tenant_id = $1", connection);
                count.Parameters.Add(new NpgsqlParameter { Value = tenantId });
                counts[table] = (long)(await count.ExecuteScalarAsync(ct))!;
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // The database is gone: nothing left to count.
        }

        return counts;
    }

    /// <summary>
    /// Offboarding, resumable and fenced. Under the tenant's lock the tenant becomes 'deleting' at a new
    /// placement epoch (its tokens get 401; a write that resolved it before is refused by the database),
    /// then every placement it has, or had in an unfinished move, is fenced and purged. Only when they
    /// count zero rows is it 'deleted'; after any failure it stays 'deleting', and running this again (the
    /// same command, or the offboarding sweep) finishes the job. Callers pass a token that the caller's
    /// connection cannot cancel.
    /// </summary>
    /// <returns>Null when the tenant is unknown or already deleted.</returns>
    public async Task<OffboardingReport?> DeleteAsync(Guid tenantId, CancellationToken ct)
    {
        await using var held = await TenantLock.AcquireAsync(owners.ControlPlane, tenantId, ct);
        if (await Catalog.FindAsync(tenantId, ct) is not { Status: not TenantStatus.Deleted } tenant)
        {
            return null;
        }

        var placements = new List<Placement> { tenant.Placement };
        if (await MoveRecord.FindAsync(held.Connection, tenant.Id, ct) is { } move)
        {
            placements.AddRange(new[] { move.From, move.To }.Where(p => !placements.Contains(p)));
        }

        var before = await CountAsync(tenant.Id, placements, ct);
        var epoch = await MarkDeletingAsync(held.Connection, tenant.Id, ct);
        // Crypto-shredding first: once the tenant's keys are gone, its content is unreadable in every copy
        // (this database, its backups, a placement a failed purge left behind).
        keys?.DestroyTenant(tenant.Id);
        foreach (var placement in placements)
        {
            await PlacementFence.SetAsync(owners, placement, tenant.Id, epoch, ct);
            await PurgeAsync(tenant.Id, placement, ct);
        }

        var after = await CountAsync(tenant.Id, placements, ct);
        if (after.Values.Sum() > 0)
        {
            throw new InvalidOperationException($"{after.Values.Sum()} rows of tenant {tenant.Slug} remain after the purge; it stays 'deleting' and the next run retries.");
        }

        await using var record = new NpgsqlBatch(held.Connection);
        record.BatchCommands.Add(Sql.Command("update control.tenants set status = 'deleted', deleted_at = now() where id = $1", tenant.Id));
        record.BatchCommands.Add(Sql.Command("delete from control.moves where tenant_id = $1", tenant.Id));
        record.BatchCommands.Add(TenantEvents.Record(tenant.Id, TenantEvents.Deleted, new { before, after }));
        await record.ExecuteNonQueryAsync(ct);
        return new OffboardingReport(tenant.Id, tenant.Slug, TenantCatalog.Lower(tenant.Placement.Tier), before, after);
    }

    /// <summary>Ids of the tenants an offboarding left unfinished.</summary>
    public async Task<IReadOnlyList<Guid>> DeletingAsync(CancellationToken ct)
    {
        await using var command = owners.ControlPlane.CreateCommand("select id from control.tenants where status = 'deleting' order by id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    // Status and epoch in one transaction: from here on the tenant is unusable and every placement's old epoch stale.
    private static async Task<long> MarkDeletingAsync(NpgsqlConnection control, Guid tenantId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            with deleting as (update control.tenants set status = 'deleting' where id = $1)
            update control.placements set epoch = epoch + 1 where tenant_id = $1 returning epoch
            """, control);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task<IReadOnlyDictionary<string, long>> CountAsync(Guid tenantId, IEnumerable<Placement> placements, CancellationToken ct)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var placement in placements)
        {
            foreach (var (table, rows) in await CountAsync(tenantId, placement, ct))
            {
                counts[table] = counts.GetValueOrDefault(table) + rows;
            }
        }

        return counts;
    }
}

public sealed record OffboardingReport(Guid TenantId, string Slug, string Tier, IReadOnlyDictionary<string, long> Before, IReadOnlyDictionary<string, long> After);
