using Bulkhead.Limits;

namespace Bulkhead.Host.Limits;

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
    LimitSet Limits,
    IReadOnlyList<UserUsageResponse> ByUser,
    IReadOnlyList<KeyUsageResponse> ByKey);
