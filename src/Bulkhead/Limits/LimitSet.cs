using System.Text.Json.Serialization;

namespace Bulkhead.Limits;

/// <summary>
/// One set of limits: a plan's values, a tenant's overrides, the effective limits, and their wire format
/// (the body of <c>PUT /api/admin/tenants/{id}/limits</c>). In a plan or the effective limits a null rate
/// or quota is unlimited; in overrides a null inherits the plan.
/// </summary>
/// <param name="BurstSeconds">How many seconds' worth of each rate may come at once (60: "N per minute" admits N at once).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LimitSet(int? RequestsPerMinute, int? UserRequestsPerMinute, long? MonthlyTokens, int? MaxConcurrentLlmCalls, int? BurstSeconds)
{
    public const int MaxBurstSeconds = 3600;

    public static LimitSet None { get; } = new(null, null, null, null, null);

    public static bool IsValidBurst(int seconds) => seconds is >= 1 and <= MaxBurstSeconds;

    /// <summary>Each value of this set where it has one, the fallback's otherwise.</summary>
    public LimitSet Over(LimitSet fallback) => new(
        RequestsPerMinute ?? fallback.RequestsPerMinute,
        UserRequestsPerMinute ?? fallback.UserRequestsPerMinute,
        MonthlyTokens ?? fallback.MonthlyTokens,
        MaxConcurrentLlmCalls ?? fallback.MaxConcurrentLlmCalls,
        BurstSeconds ?? fallback.BurstSeconds);

    /// <summary>The first value that no override may have, by its wire name, or null when every value is valid.</summary>
    public (string Field, string Detail)? FirstOverrideProblem()
    {
        foreach (var (field, value) in new (string, long?)[]
        {
            ("requests_per_minute", RequestsPerMinute),
            ("user_requests_per_minute", UserRequestsPerMinute),
            ("monthly_tokens", MonthlyTokens),
            ("max_concurrent_llm_calls", MaxConcurrentLlmCalls),
        })
        {
            if (value is <= 0)
            {
                return (field, $"must be a positive number, or null to inherit the plan");
            }
        }

        return BurstSeconds is { } burst && !IsValidBurst(burst)
            ? ("burst_seconds", $"must be between 1 and {MaxBurstSeconds}, or null to inherit the plan")
            : null;
    }
}
