using Bulkhead.Limits;

namespace Bulkhead.Host.Limits;

/// <summary>The limiter's decision for one request, kept as a request feature for the response headers.</summary>
public sealed record RateLimitOutcome(IReadOnlyList<RequestPolicy> Policies, GcraDecision Decision)
{
    public RequestPolicy? Violated => Decision.ViolatedRule >= 0 ? Policies[Decision.ViolatedRule] : null;
}
