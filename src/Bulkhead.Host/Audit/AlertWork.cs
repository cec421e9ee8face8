namespace Bulkhead.Host.Audit;

/// <summary>A unit of alert work queued by the request path and done by <see cref="AlertDispatcher"/>. Each carries its tenant.</summary>
public abstract record AlertWork;

/// <summary>A tenant request missed an id: check, off the request path, whether another tenant owns it. Budgeted and sheddable.</summary>
public sealed record ProbeCheck(Guid TenantId, string Sub, string ResourceType, Guid ResourceId) : AlertWork;

/// <summary>A pattern seen in memory (enumeration, unknown tenant, sub in several tenants): record it. Never shed.</summary>
public sealed record RaiseAlert(string Kind, Guid? TenantId, string? Sub, object Detail) : AlertWork;
