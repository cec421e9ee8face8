namespace Bulkhead.Audit;

/// <summary>A security alert: what pattern was seen, who (tenant and sub) and, for a probe, whose data was aimed at.</summary>
public sealed record Alert(Guid Id, string Kind, Guid? TenantId, string? Sub, Guid? TargetTenant, string Detail, DateTimeOffset RaisedAt);

/// <summary>The kinds of <see cref="Alert"/>; the control.alerts check constraint lists the same names.</summary>
public static class AlertKinds
{
    public const string CrossTenantProbe = "cross_tenant_probe";
    public const string IdEnumeration = "id_enumeration";
    public const string UnknownTenant = "unknown_tenant";
    public const string SuspendedTenant = "suspended_tenant";
    public const string SubInSeveralTenants = "sub_in_several_tenants";
    public const string SealBroken = "seal_broken";
}
