namespace Bulkhead.Limits;

/// <summary>A tenant's limits: its plan, the overrides set for it, and what applies (the overrides over the plan). Also the wire format.</summary>
public sealed record TenantLimits(Guid TenantId, string Plan, LimitSet Overrides, LimitSet Effective);
