namespace Bulkhead.Tenancy;

/// <summary>
/// The one thing a tenant session needs: whose rows, where they live, and the placement epoch that was
/// resolved with them (a placement refuses writes of any other epoch, see <see cref="PlacementFence"/>).
/// It is built from a verified token's <c>tid</c> claim or from a background job's payload, never from
/// request input.
/// </summary>
public sealed record TenantScope(Guid TenantId, Placement Placement, long Epoch)
{
    public Guid TenantId { get; } = TenantId != Guid.Empty
        ? TenantId
        : throw new ArgumentException("A tenant scope needs a tenant id.", nameof(TenantId));
}
