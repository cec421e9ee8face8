namespace Bulkhead.Tenancy;

/// <summary>Where a tenant's rows live. Every tier keeps row-level security forced.</summary>
public enum Tier
{
    Pooled,
    Schema,
    Database,
}
