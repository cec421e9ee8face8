using System.Diagnostics;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Observability;

/// <summary>
/// Puts the resolved tenant on everything a request produces: the server span (tenant id and tier as
/// attributes, where cardinality costs nothing), a logging scope with tenant and request id, and the
/// bounded request metrics. Runs right after tenant resolution.
/// </summary>
public sealed class TenantTelemetry(RequestDelegate next, ILogger<TenantTelemetry> log, BulkheadMetrics metrics, TimeProvider time)
{
    public const string TenantAttribute = "bulkhead.tenant_id";
    public const string TierAttribute = "bulkhead.tier";

    public async Task InvokeAsync(HttpContext context)
    {
        var tenant = context.Features.Get<Tenant>();
        if (tenant is null)
        {
            using (log.BeginScope(new Dictionary<string, object?> { ["RequestId"] = context.TraceIdentifier }))
            {
                await next(context);
            }

            return;
        }

        var tier = TenantCatalog.Lower(tenant.Placement.Tier);
        Activity.Current?.SetTag(TenantAttribute, tenant.Id.ToString("D"));
        Activity.Current?.SetTag(TierAttribute, tier);
        var started = time.GetTimestamp();
        using (log.BeginScope(new Dictionary<string, object?> { ["TenantId"] = tenant.Id, ["RequestId"] = context.TraceIdentifier }))
        {
            try
            {
                await next(context);
            }
            finally
            {
                metrics.Request(tenant.Id, tier, context.Response.StatusCode, time.GetElapsedTime(started).TotalSeconds);
            }
        }
    }
}
