using Bulkhead.Tenancy;

namespace Bulkhead.Host.Auth;

/// <summary>
/// A request that resolved a placement the tenant has since left: the placement's fence refused the write
/// (or its schema or database is gone). Nothing was written; the tenant is resolved again for the retry.
/// </summary>
public static class StalePlacement
{
    /// <summary>Drops the request's tenant from this server's cache, so that the next request reads the control plane.</summary>
    public static void Forget(HttpContext context)
    {
        if (context.Features.Get<Tenant>() is { } tenant)
        {
            context.RequestServices.GetRequiredService<TenantDirectory>().Forget(tenant.Id);
        }
    }

    /// <summary>The caller with its tenant resolved again; null when there is nothing to retry.</summary>
    public static async Task<TenantCaller?> ResolveAgainAsync(TenantCaller caller, TenantDirectory directory, CancellationToken ct) =>
        await directory.ResolveAgainAsync(caller.Tenant.Id, caller.Tenant.Epoch, ct) is { Status: TenantStatus.Active } tenant
            ? caller with { Tenant = tenant }
            : null;
}
