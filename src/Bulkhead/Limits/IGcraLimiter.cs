namespace Bulkhead.Limits;

/// <summary>Decides one request against several GCRA rules at once, all or nothing.</summary>
public interface IGcraLimiter
{
    ValueTask<GcraDecision> CheckAsync(IReadOnlyList<GcraRule> rules, CancellationToken ct);
}
