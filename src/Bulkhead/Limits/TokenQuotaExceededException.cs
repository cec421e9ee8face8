namespace Bulkhead.Limits;

/// <summary>A reservation that does not fit in the month's quota. The API answers 429 with a quota-exceeded problem.</summary>
public sealed class TokenQuotaExceededException(long monthlyTokens, long usedTokens, long requestedTokens, DateTimeOffset resetsAt)
    : Exception($"The monthly token quota of {monthlyTokens} is used up: {usedTokens} used or reserved, {requestedTokens} requested.")
{
    public long MonthlyTokens { get; } = monthlyTokens;

    /// <summary>Settled plus reserved tokens when the reservation was refused.</summary>
    public long UsedTokens { get; } = usedTokens;

    public long RequestedTokens { get; } = requestedTokens;

    public DateTimeOffset ResetsAt { get; } = resetsAt;
}
