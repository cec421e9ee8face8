namespace Bulkhead.Limits;

/// <summary>
/// The answer for a set of rules checked together: admitted by all (and counted against all) or by
/// none. <see cref="Rules"/> follows the order of the rules asked about.
/// </summary>
public sealed record GcraDecision(bool Allowed, int ViolatedRule, TimeSpan RetryAfter, IReadOnlyList<GcraRuleState> Rules)
{
    public static GcraDecision Unlimited { get; } = new(true, -1, TimeSpan.Zero, []);
}

/// <param name="Remaining">Requests that could be made right now.</param>
/// <param name="ResetAfter">Until the rule's whole burst is available again.</param>
public readonly record struct GcraRuleState(long Remaining, TimeSpan ResetAfter);
