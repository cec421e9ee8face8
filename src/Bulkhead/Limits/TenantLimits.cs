namespace Bulkhead.Limits;

/// <summary>A tenant's effective limits: its plan, with per-tenant overrides applied. Null is unlimited.</summary>
/// <param name="BurstSeconds">How many seconds' worth of each rate may come at once.</param>
public sealed record TenantLimits(
    string Plan,
    int? RequestsPerMinute,
    int? UserRequestsPerMinute,
    long? MonthlyTokens,
    int MaxConcurrentLlmCalls,
    int BurstSeconds);
