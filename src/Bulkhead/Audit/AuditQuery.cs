namespace Bulkhead.Audit;

/// <summary>Filters of a tenant's audit trail; null means any.</summary>
public sealed record AuditQuery(string? Sub, string? Action, DateTimeOffset? From, DateTimeOffset? To, Guid? After, int Limit);
