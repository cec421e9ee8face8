using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Audit;

/// <summary>Checks the chain of every tenant (or one), each in its own placement, as the owner role.</summary>
public static class AuditVerification
{
    public static async Task<IReadOnlyList<ChainReport>> RunAsync(OwnerSources owners, IEnumerable<Tenant> tenants, CancellationToken ct)
    {
        var reports = new List<ChainReport>();
        foreach (var tenant in tenants.Where(t => t.Status is TenantStatus.Active or TenantStatus.Suspended))
        {
            var source = await owners.ForAsync(tenant.Placement, ct);
            await using NpgsqlConnection connection = await source.OpenConnectionAsync(ct);
            reports.Add(await AuditVerifier.VerifyAsync(connection, tenant.Placement.Schema, tenant.Id, tenant.Slug, ct));
        }

        return reports;
    }
}
