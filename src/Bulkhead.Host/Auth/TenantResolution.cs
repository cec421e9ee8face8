using System.Security.Claims;
using Bulkhead.Audit;
using Bulkhead.Host.Audit;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Auth;

/// <summary>
/// Turns a verified token's tid into the tenant: an unknown tenant gets 401, a suspended one 403.
/// Runs after authentication and before authorization; nothing else decides which tenant a request is for.
/// A validly signed token that names an unknown or suspended tenant also raises an alert (once per quiet period).
/// </summary>
public sealed class TenantResolution(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, TenantDirectory directory, IProblemDetailsService problems, AlertDispatcher alerts, AlertThrottle throttle)
    {
        var tid = context.User.FindFirstValue(Claims.Tenant);
        if (context.User.Identity?.IsAuthenticated == true && Guid.TryParse(tid, out var id))
        {
            var tenant = await directory.FindAsync(id, context.RequestAborted);
            if (tenant is null || tenant.Status != TenantStatus.Active)
            {
                var unknown = tenant is not { Status: TenantStatus.Suspended };
                var kind = unknown ? AlertKinds.UnknownTenant : AlertKinds.SuspendedTenant;
                var sub = context.User.FindFirstValue(Claims.Subject);
                if (throttle.ShouldRaise($"{kind}|{id}|{sub}"))
                {
                    await alerts.RaiseAsync(new RaiseAlert(kind, id, sub, new { status = tenant is null ? "unknown" : TenantCatalog.Lower(tenant.Status) }));
                }

                context.Response.StatusCode = unknown ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = context.Response.StatusCode,
                        Title = unknown ? "Unauthorized" : "Forbidden",
                        Detail = unknown ? "The token names no known tenant." : "This tenant is suspended.",
                    },
                });
                return;
            }

            context.Features.Set(tenant);
        }

        await next(context);
    }
}
