using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>Resolves a placement to the data source that reaches it, as the runtime role.</summary>
public interface IPlacementRouter
{
    NpgsqlDataSource DataSourceFor(Placement placement);
}

/// <summary>
/// The single-server router: pooled and schema placements share the control-plane database's one
/// pool (the schema is chosen per transaction with search_path, so no pool per tenant).
/// </summary>
public sealed class PrimaryPlacementRouter(NpgsqlDataSource primary) : IPlacementRouter
{
    public NpgsqlDataSource DataSourceFor(Placement placement)
    {
        if (placement.Server != Placement.PrimaryServer || placement.Database is not null)
        {
            throw new InvalidOperationException(
                $"Placement on server '{placement.Server}' database '{placement.Database}' is not reachable from this router.");
        }

        return primary;
    }
}
