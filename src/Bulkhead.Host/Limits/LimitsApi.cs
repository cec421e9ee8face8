using System.Globalization;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Limits;

namespace Bulkhead.Host.Limits;

/// <summary>The tenant's usage (tenant admins) and per-tenant limit overrides (the platform operator).</summary>
public static class LimitsApi
{
    public static IEndpointRouteBuilder MapLimitsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tenant/usage", GetUsageAsync).RequireAuthorization(Policies.TenantAdmin).WithTags("Limits")
            .WithMetadata(new EndpointResource("usage"));

        var admin = app.MapGroup("/api/admin/tenants/{id}/limits").RequireAuthorization(Policies.Platform).WithTags("Limits");
        admin.MapGet("", GetLimitsAsync);
        admin.MapPut("", PutLimitsAsync);
        admin.MapDelete("", DeleteLimitsAsync);
        return app;
    }

    private static async Task<Ok<UsageResponse>> GetUsageAsync(TenantCaller caller, ITokenQuota quota, TenantLimitsSource source, CancellationToken ct)
    {
        var usage = await quota.GetUsageAsync(caller.Tenant.Scope, caller.Actor, ct);
        var limits = await source.GetAsync(caller.Tenant.Id, ct);
        return TypedResults.Ok(new UsageResponse(
            limits.Plan,
            usage.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            usage.UsedTokens,
            usage.ReservedTokens,
            usage.MonthlyTokens,
            usage.RemainingTokens,
            usage.ResetsAt,
            usage.ByModel.Select(m => new ModelUsageResponse(m.Model, m.UsedTokens, m.Calls)).ToList(),
            limits.Effective,
            usage.ByCaller.Where(c => c.KeyId is null).Select(c => new UserUsageResponse(c.Sub, c.UsedTokens, c.Calls)).ToList(),
            usage.ByCaller.Where(c => c.KeyId is not null).Select(c => new KeyUsageResponse(c.KeyId!.Value, c.KeyName!, c.UsedTokens, c.Calls)).ToList()));
    }

    private static async Task<Results<Ok<TenantLimits>, ProblemHttpResult>> GetLimitsAsync(string id, TenantLimitsSource limits, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var tenantId))
        {
            return Problems.NotFound("tenant");
        }

        limits.Forget(tenantId);
        return await limits.FindAsync(tenantId, ct) is { } response ? TypedResults.Ok(response) : Problems.NotFound("tenant");
    }

    private static async Task<Results<Ok<TenantLimits>, ProblemHttpResult, ValidationProblem>> PutLimitsAsync(
        string id, LimitSet body, TenantLimitsSource limits, CancellationToken ct)
    {
        if (body.FirstOverrideProblem() is (var field, var detail))
        {
            return Problems.Invalid(field, detail);
        }

        if (!Guid.TryParse(id, out var tenantId) || !await limits.SetOverridesAsync(tenantId, body, ct))
        {
            return Problems.NotFound("tenant");
        }

        return await limits.FindAsync(tenantId, ct) is { } response ? TypedResults.Ok(response) : Problems.NotFound("tenant");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteLimitsAsync(string id, TenantLimitsSource limits, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var tenantId) || await limits.FindAsync(tenantId, ct) is null)
        {
            return Problems.NotFound("tenant");
        }

        await limits.ClearOverridesAsync(tenantId, ct);
        return TypedResults.NoContent();
    }
}
