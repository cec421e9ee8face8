using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// Owner-role connections to a placement, for maintenance that runs the tenant-scoped code of the
/// product itself: the mover seals what is left of a tenant's trail in the placement it leaves. Not for
/// request paths: the owner bypasses row-level security (every statement still names tenant_id).
/// </summary>
public sealed class OwnerPlacementRouter(OwnerSources owners) : IPlacementRouter
{
    public async ValueTask<NpgsqlConnection> OpenAsync(Placement placement, CancellationToken ct) =>
        await (await owners.ForAsync(placement, ct)).OpenConnectionAsync(ct);

    public ValueTask<NpgsqlDataSource> OpenMaintenanceSourceAsync(Placement placement, CancellationToken ct) =>
        throw new NotSupportedException("Owner connections are opened per placement with OpenAsync.");
}
