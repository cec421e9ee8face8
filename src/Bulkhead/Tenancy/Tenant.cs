namespace Bulkhead.Tenancy;

/// <summary>A tenant as the control plane knows it.</summary>
public sealed record Tenant(Guid Id, string Slug, string Name, string Plan, TenantStatus Status, Placement Placement, DateTimeOffset CreatedAt)
{
    public TenantScope Scope => new(Id, Placement);
}
