using Bulkhead.Limits;

namespace Bulkhead.Host.Limits;

public sealed record ModelUsageResponse(string Model, long UsedTokens, long Calls);

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
    LimitSet Limits);
