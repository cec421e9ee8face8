namespace Bulkhead.Tenancy;

public enum TenantStatus
{
    /// <summary>Being created in its own database; not usable until active.</summary>
    Provisioning,
    Active,
    Suspended,

    /// <summary>Offboarded: its data is gone, the control plane keeps the record.</summary>
    Deleted,
}
