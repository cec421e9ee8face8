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

    /// <summary>
    /// Runs a write for the caller; when the placement it resolved refuses it (the tenant moved while the
    /// request ran, e.g. during a long model call), resolves the tenant again and writes once more there.
    /// </summary>
    public static async Task<T> WriteAsync<T>(TenantCaller caller, TenantDirectory directory, Func<TenantCaller, CancellationToken, Task<T>> write, CancellationToken ct)
    {
        try
        {
            return await write(caller, ct);
        }
        catch (Exception e) when (PlacementFence.IsStale(e))
        {
            var again = await ResolveAgainAsync(caller, directory, ct);
            if (again is null)
            {
                throw;
            }

            return await write(again, ct);
        }
    }
}
