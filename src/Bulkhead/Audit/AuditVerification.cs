using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// Checks the trail of every tenant (or one), each in its own placement, as the owner role, against the
/// checkpoints kept outside the database. A tenant that has checkpoints but is gone from the control
/// plane is reported too: erasing a trail together with its tenant does not make it disappear.
/// </summary>
public static class AuditVerification
{
    public static async Task<IReadOnlyList<TrailReport>> RunAsync(
        OwnerSources owners, IReadOnlyList<Tenant> tenants, bool everyTenant, ICheckpointStore checkpoints, ICheckpointKey key, DateTimeOffset now,
        TimeSpan maxCheckpointAge, CancellationToken ct)
    {
        var reports = new List<TrailReport>();
        foreach (var tenant in tenants.Where(t => t.Status is TenantStatus.Active or TenantStatus.Suspended))
        {
            var source = await owners.ForAsync(tenant.Placement, ct);
            await using NpgsqlConnection connection = await source.OpenConnectionAsync(ct);
            var (checkpoint, rejected) = await checkpoints.NewestAsync(tenant.Id, key, ct);
            var report = await AuditVerifier.VerifyAsync(connection, tenant.Placement.Schema, tenant.Id, tenant.Slug, checkpoint, now, maxCheckpointAge, ct);
            // Checkpoints that do not verify are not "no checkpoint yet": a wrong key, or forged lines.
            reports.Add(checkpoint is null && rejected > 0
                ? report with { Break = new TrailBreak(1, $"the tenant has {rejected} checkpoint(s), but none verifies with signing key {key.KeyId}") }
                : report);
        }

        if (everyTenant)
        {
            var known = tenants.Select(t => t.Id).ToHashSet();
            foreach (var id in (await checkpoints.TenantsAsync(ct)).Where(id => !known.Contains(id)))
            {
                if ((await checkpoints.NewestAsync(id, key, ct)).Newest is { Block: > 0 } checkpoint)
                {
                    reports.Add(new TrailReport(id, "(unknown)", 0, 0, 0, 0, TimeSpan.Zero, checkpoint, new TrailBreak(1,
                        $"the signed checkpoint of {checkpoint.Time:u} names block {checkpoint.Block} ({checkpoint.Events} events), but the control plane has no such tenant (the tenant was erased with its trail)"),
                        null));
                }
            }
        }

        return reports;
    }
}
