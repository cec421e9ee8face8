using System.Security.Claims;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Bulkhead.Host.Audit;

/// <summary>
/// Watches answers to tenant requests for the patterns of probing: a 404 for a well-formed id queues a
/// cross-tenant check where the endpoint's <see cref="EndpointResource"/> says what the id names (done
/// later, so the 404 goes out exactly as for an id that exists nowhere; budgeted per principal and id,
/// see <see cref="ProbeBudget"/>), bursts of 404s raise id_enumeration, and one issuer's sub active in several tenants raises sub_in_several_tenants
/// (where the issuer's subs name one principal across tenants; see <see cref="PatternTracker"/>).
/// </summary>
public sealed class AccessMonitor(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, AlertDispatcher alerts, PatternTracker patterns)
    {
        await next(context);

        var tenant = context.Features.Get<Tenant>();
        var sub = context.User.FindFirstValue(Claims.Subject);
        if (tenant is null || sub is null)
        {
            return;
        }

        // A tenant API key has no issuer: it names its tenant itself, and its sub is that key's.
        if (context.User.FindFirstValue(JwtRegisteredClaimNames.Iss) is { } issuer && patterns.Active(issuer, tenant.Id, sub) is { } several)
        {
            await alerts.RaiseAsync(several);
        }

        if (context.Response.StatusCode != StatusCodes.Status404NotFound)
        {
            return;
        }

        if (ProbedResource(context) is { } probed)
        {
            alerts.Check(new ProbeCheck(tenant.Id, sub, probed.Type, probed.Id));
        }

        if (patterns.NotFound(tenant.Id, sub) is { } enumeration)
        {
            await alerts.RaiseAsync(enumeration);
        }
    }

    private static (string Type, Guid Id)? ProbedResource(HttpContext context)
    {
        return context.GetEndpoint()?.Metadata.GetMetadata<EndpointResource>() is { Probed: { } type }
            && context.Request.RouteValues.TryGetValue("id", out var raw) && Guid.TryParse(raw?.ToString(), out var id)
            ? (type, id)
            : null;
    }
}
