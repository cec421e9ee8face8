using System.Text.Json.Serialization;
using Bulkhead.Limits;

namespace Bulkhead.Host.Limits;

/// <summary>PUT body: each field overrides the plan; null or absent inherits it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LimitOverridesRequest(int? RequestsPerMinute, int? UserRequestsPerMinute, long? MonthlyTokens, int? MaxConcurrentLlmCalls, int? BurstSeconds)
{
    public LimitOverrides ToOverrides() => new(RequestsPerMinute, UserRequestsPerMinute, MonthlyTokens, MaxConcurrentLlmCalls, BurstSeconds);
}

/// <param name="BurstSeconds">How many seconds' worth of each rate may come at once (60: "N per minute" admits N at once).</param>
public sealed record LimitsValues(int? RequestsPerMinute, int? UserRequestsPerMinute, long? MonthlyTokens, int? MaxConcurrentLlmCalls, int? BurstSeconds)
{
    public static LimitsValues From(LimitOverrides o) =>
        new(o.RequestsPerMinute, o.UserRequestsPerMinute, o.MonthlyTokens, o.MaxConcurrentLlmCalls, o.BurstSeconds);

    public static LimitsValues From(TenantLimits l) =>
        new(l.RequestsPerMinute, l.UserRequestsPerMinute, l.MonthlyTokens, l.MaxConcurrentLlmCalls, l.BurstSeconds);
}

/// <summary>A tenant's limits as the platform operator sees them: the overrides set, and what applies.</summary>
public sealed record TenantLimitsResponse(Guid TenantId, string Plan, LimitsValues Overrides, LimitsValues Effective);

public sealed record ModelUsageResponse(string Model, long UsedTokens, long Calls);

/// <summary>A user's tokens and calls this month (<c>sub</c> as their tokens carry it).</summary>
public sealed record UserUsageResponse(string Sub, long UsedTokens, long Calls);

/// <summary>An API key's tokens and calls this month, with the key's name.</summary>
public sealed record KeyUsageResponse(Guid KeyId, string Name, long UsedTokens, long Calls);

/// <summary>GET /api/tenant/usage: this month's tokens and the limits in force.</summary>
public sealed record UsageResponse(
    string Plan,
    string Month,
    long UsedTokens,
    long ReservedTokens,
    long? MonthlyTokens,
    long? RemainingTokens,
    DateTimeOffset ResetsAt,
    IReadOnlyList<ModelUsageResponse> ByModel,
    LimitsValues Limits,
    IReadOnlyList<UserUsageResponse> ByUser,
    IReadOnlyList<KeyUsageResponse> ByKey);
