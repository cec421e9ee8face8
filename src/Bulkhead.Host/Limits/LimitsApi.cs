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
        app.MapGet("/api/tenant/usage", GetUsageAsync).RequireAuthorization(Policies.TenantAdmin).WithTags("Limits");

        var admin = app.MapGroup("/api/admin/tenants/{id}/limits").RequireAuthorization(Policies.Platform).WithTags("Limits");
        admin.MapGet("", GetLimitsAsync);
        admin.MapPut("", PutLimitsAsync);
        admin.MapDelete("", DeleteLimitsAsync);
        return app;
    }

    private static async Task<Ok<UsageResponse>> GetUsageAsync(TenantCaller caller, ITokenQuota quota, TenantLimitsSource limits, CancellationToken ct)
    {
        var usage = await quota.GetUsageAsync(caller.Tenant.Scope, caller.Actor, ct);
        var effective = await limits.GetAsync(caller.Tenant.Id, ct);
        return TypedResults.Ok(new UsageResponse(
            effective.Plan,
            usage.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            usage.UsedTokens,
            usage.ReservedTokens,
            usage.MonthlyTokens,
            usage.RemainingTokens,
            usage.ResetsAt,
            usage.ByModel.Select(m => new ModelUsageResponse(m.Model, m.UsedTokens, m.Calls)).ToList(),
            LimitsValues.From(effective),
            usage.ByCaller.Where(c => c.KeyId is null).Select(c => new UserUsageResponse(c.Sub, c.UsedTokens, c.Calls)).ToList(),
            usage.ByCaller.Where(c => c.KeyId is not null).Select(c => new KeyUsageResponse(c.KeyId!.Value, c.KeyName!, c.UsedTokens, c.Calls)).ToList()));
    }

    private static async Task<Results<Ok<TenantLimitsResponse>, ProblemHttpResult>> GetLimitsAsync(string id, TenantLimitsSource limits, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var tenantId))
        {
            return Problems.NotFound("tenant");
        }

        limits.Forget(tenantId);
        return await ResponseAsync(tenantId, limits, ct) is { } response ? TypedResults.Ok(response) : Problems.NotFound("tenant");
    }

    private static async Task<Results<Ok<TenantLimitsResponse>, ProblemHttpResult, ValidationProblem>> PutLimitsAsync(
        string id, LimitOverridesRequest body, TenantLimitsSource limits, CancellationToken ct)
    {
        foreach (var (field, value) in new (string, long?)[]
        {
            ("requests_per_minute", body.RequestsPerMinute),
            ("user_requests_per_minute", body.UserRequestsPerMinute),
            ("monthly_tokens", body.MonthlyTokens),
            ("max_concurrent_llm_calls", body.MaxConcurrentLlmCalls),
        })
        {
            if (value is <= 0)
            {
                return Problems.Invalid(field, "must be a positive number, or null to inherit the plan");
            }
        }

        if (body.BurstSeconds is { } burst && !LimitsOptions.IsValidBurst(burst))
        {
            return Problems.Invalid("burst_seconds", $"must be between 1 and {LimitsOptions.MaxBurstSeconds}, or null to inherit the plan");
        }

        if (!Guid.TryParse(id, out var tenantId) || !await limits.SetOverridesAsync(tenantId, body.ToOverrides(), ct))
        {
            return Problems.NotFound("tenant");
        }

        return await ResponseAsync(tenantId, limits, ct) is { } response ? TypedResults.Ok(response) : Problems.NotFound("tenant");
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

    private static async Task<TenantLimitsResponse?> ResponseAsync(Guid tenantId, TenantLimitsSource limits, CancellationToken ct)
    {
        if (await limits.FindAsync(tenantId, ct) is not { } effective)
        {
            return null;
        }

        var overrides = await limits.FindOverridesAsync(tenantId, ct) ?? LimitOverrides.None;
        return new TenantLimitsResponse(tenantId, effective.Plan, LimitsValues.From(overrides), LimitsValues.From(effective));
    }
}
