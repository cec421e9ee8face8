using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// The epoch at which a placement accepts a tenant's writes (table <c>placement_fences</c>, checked by the
/// write gate trigger). Raising it in a placement the tenant leaves, under the tenant's write lock, makes
/// every later write that resolved that placement fail in the database with <see cref="StaleSqlState"/>,
/// whatever a server still caches and however long the request ran.
/// </summary>
public static class PlacementFence
{
    public const string Table = "placement_fences";

    /// <summary>A write whose tenant context carries an epoch the placement no longer accepts.</summary>
    public const string StaleSqlState = "BH002";

    /// <summary>
    /// Whether a statement failed because its session resolved a placement the tenant has left: the fence
    /// refused it, or the placement's schema or database has been dropped since (a live placement always
    /// has every tenant table). Either way nothing was written, and the tenant must be resolved again.
    /// </summary>
    public static bool IsStale(Exception exception) => exception is PostgresException
    {
        SqlState: StaleSqlState or PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.InvalidCatalogName,
    };

    /// <summary>A write while a move or offboarding holds the tenant's write lock.</summary>
    public const string LockedSqlState = "BH001";

    /// <summary>
    /// Sets the placement's fence for the tenant. Waits for the tenant's writes in flight there (the write
    /// lock, taken for the transaction; a connection that already holds it takes it again at once). A
    /// placement that no longer exists, or was never migrated this far, needs no fence.
    /// </summary>
    public static async Task SetAsync(NpgsqlConnection connection, string schema, Guid tenantId, long epoch, CancellationToken ct)
    {
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(Sql.Command("select pg_advisory_xact_lock(hashtext('bulkhead.tenant'), hashtext($1::text))", tenantId));
            batch.BatchCommands.Add(Sql.Command(
                $"insert into {Migrator.Quote(schema)}.{Table} (tenant_id, epoch) values ($1, $2) on conflict (tenant_id) do update set epoch = excluded.epoch",
                tenantId, epoch));
            await batch.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
        }
    }

    /// <summary>The same, on a fresh connection to the placement (none at all when its database is gone).</summary>
    public static async Task SetAsync(OwnerSources owners, Placement placement, Guid tenantId, long epoch, CancellationToken ct)
    {
        try
        {
            await using var connection = await (await owners.ForAsync(placement, ct)).OpenConnectionAsync(ct);
            await SetAsync(connection, placement.Schema, tenantId, epoch, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
        }
    }
}
