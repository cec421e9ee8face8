using Bulkhead.Limits;

namespace Bulkhead.Host.Limits;

/// <summary>A named rate that a request counts against: "tenant" (every tenant API call) or "user" (chat calls).</summary>
public sealed record RequestPolicy(string Name, int RequestsPerMinute, GcraRule Rule)
{
    public const string Tenant = "tenant";
    public const string User = "user";

    /// <summary>The burst window in whole seconds: the rule's burst of requests refills in this time.</summary>
    public int WindowSeconds => (int)Math.Ceiling(Rule.ToleranceMicros / 1_000_000.0);
}
