namespace Bulkhead.Tenancy;

public enum TenantStatus
{
    Active,
    Suspended,
}
