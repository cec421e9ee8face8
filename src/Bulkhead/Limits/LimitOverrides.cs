namespace Bulkhead.Limits;

/// <summary>
/// A tenant's overrides of its plan, set by the platform operator. A null field inherits the plan;
/// an override can only name a number (a tenant that should be unlimited moves to a plan that is).
/// </summary>
public sealed record LimitOverrides(
    int? RequestsPerMinute,
    int? UserRequestsPerMinute,
    long? MonthlyTokens,
    int? MaxConcurrentLlmCalls,
    int? BurstSeconds)
{
    public static LimitOverrides None { get; } = new(null, null, null, null, null);
}
