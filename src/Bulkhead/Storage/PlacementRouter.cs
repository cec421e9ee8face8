using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>Opens a runtime-role connection to where a placement's rows live.</summary>
public interface IPlacementRouter
{
    ValueTask<NpgsqlConnection> OpenAsync(Placement placement, CancellationToken ct);

    /// <summary>
    /// A separate data source for a database placement's database, outside the bounded registry, for
    /// maintenance such as the catalog lint. The caller disposes it.
    /// </summary>
    ValueTask<NpgsqlDataSource> OpenMaintenanceSourceAsync(Placement placement, CancellationToken ct);
}

/// <summary>
/// Pooled and schema placements share the control-plane database's one pool: the schema is chosen per
/// transaction with search_path, so there is no pool per tenant. Database placements go through the
/// bounded <see cref="DatabaseSourceRegistry"/>.
/// </summary>
public sealed class PlacementRouter(NpgsqlDataSource primary, ServerRegistry servers, DatabaseSourceRegistry databases) : IPlacementRouter
{
    public async ValueTask<NpgsqlConnection> OpenAsync(Placement placement, CancellationToken ct)
    {
        if (placement.Database is null)
        {
            return await primary.OpenConnectionAsync(ct);
        }

        var server = await servers.FindAsync(placement.Server, ct);
        return await databases.OpenAsync(server, placement.Database, ct);
    }

    public async ValueTask<NpgsqlDataSource> OpenMaintenanceSourceAsync(Placement placement, CancellationToken ct)
    {
        var server = await servers.FindAsync(placement.Server, ct);
        return NpgsqlDataSource.Create(servers.Credentials.Runtime(server, placement.Database));
    }
}

/// <summary>A router for one database only (tools and tests that use the shared tables or schemas).</summary>
public sealed class PrimaryPlacementRouter(NpgsqlDataSource primary) : IPlacementRouter
{
    public async ValueTask<NpgsqlConnection> OpenAsync(Placement placement, CancellationToken ct)
    {
        if (placement.Database is not null)
        {
            throw new InvalidOperationException($"Database placement '{placement.Database}' is not reachable from this router.");
        }

        return await primary.OpenConnectionAsync(ct);
    }

    public ValueTask<NpgsqlDataSource> OpenMaintenanceSourceAsync(Placement placement, CancellationToken ct) =>
        throw new InvalidOperationException($"Database placement '{placement.Database}' is not reachable from this router.");
}
