namespace Bulkhead.Tenancy;

public enum TenantStatus
{
    /// <summary>Being created in its own database; not usable until active.</summary>
    Provisioning,
    Active,
    Suspended,

    /// <summary>Being offboarded: unusable, and purged until every placement it had counts zero rows.</summary>
    Deleting,

    /// <summary>Offboarded: its data is gone, the control plane keeps the record.</summary>
    Deleted,
}
