namespace Bulkhead.Limits;

/// <summary>A tenant's effective limits: its plan, with per-tenant overrides applied. Null is unlimited.</summary>
public sealed record TenantLimits(
    string Plan,
    int? RequestsPerMinute,
    int? UserRequestsPerMinute,
    long? MonthlyTokens,
    int MaxConcurrentLlmCalls);
