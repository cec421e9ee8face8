namespace Bulkhead.Tenancy;

/// <summary>A tenant as the control plane knows it; <see cref="Epoch"/> counts the switches of its placement.</summary>
public sealed record Tenant(Guid Id, string Slug, string Name, string Plan, TenantStatus Status, Placement Placement, DateTimeOffset CreatedAt, long Epoch)
{
    public TenantScope Scope => new(Id, Placement, Epoch);
}
