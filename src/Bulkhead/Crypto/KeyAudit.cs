using Bulkhead.Audit;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Crypto;

/// <summary>Writes a key event of a tenant into its audit trail, as the system, through the audit writer every access uses.</summary>
public static class KeyAudit
{
    public static async Task RecordAsync(TenantScope scope, IPlacementRouter router, AuditAction action, string resource, long? count, CancellationToken ct)
    {
        await using var session = await TenantSession.OpenAsync(scope, router, AuditActor.System("keys", action.Name), ct);
        await session.ExecuteAsync(ct, session.Outcome(action, resource, AuditOutcome.Ok, count));
    }
}
