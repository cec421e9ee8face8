namespace Bulkhead.Tenancy;

/// <summary>
/// The one thing a tenant session needs: whose rows, and where they live. It is built from a
/// verified token's <c>tid</c> claim or from a background job's payload, never from request input.
/// </summary>
public sealed record TenantScope(Guid TenantId, Placement Placement)
{
    public Guid TenantId { get; } = TenantId != Guid.Empty
        ? TenantId
        : throw new ArgumentException("A tenant scope needs a tenant id.", nameof(TenantId));
}
