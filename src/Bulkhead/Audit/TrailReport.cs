namespace Bulkhead.Audit;

/// <summary>The first block of a tenant's trail that does not check out, and why.</summary>
public sealed record TrailBreak(long Block, string Reason);

/// <summary>What <c>audit verify</c> found for one tenant.</summary>
/// <param name="Stall">Why the sealer looks stalled (its newest checkpoint is too old), or null.</param>
/// <param name="KeyEvents">How many events of each key action (<see cref="AuditActions.KeyLifecycle"/>) the trail holds.</param>
public sealed record TrailReport(
    Guid TenantId, string Slug, long Blocks, long SealedEvents, int Segment, long Unsealed, TimeSpan SealerLag, Checkpoint? Checkpoint,
    TrailBreak? Break, string? Stall, IReadOnlyDictionary<string, long>? KeyEvents = null)
{
    public bool Healthy => Break is null && Stall is null;

    /// <summary>"key.create 2, key.rotate 1, key.destroy 0".</summary>
    public string KeyEventsText => string.Join(", ", AuditActions.KeyLifecycle.Select(a => $"{a.Name} {KeyEvents?.GetValueOrDefault(a.Name) ?? 0}"));
}
