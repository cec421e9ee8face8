namespace Bulkhead.Limits;

/// <summary>
/// Fair-sharing settings, bound from <c>Bulkhead:Limits</c>. Requests per minute and monthly tokens of a
/// plan live in <c>control.plans</c>; what the plan table does not hold (the per-user chat limit, the
/// cap on concurrent LLM calls and the burst) lives here, per plan name. Per-tenant overrides live in
/// <c>control.tenant_limits</c> and win over both.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Bulkhead:Limits";

    public const int OneMinute = 60;

    public const int MaxBurstSeconds = 3600;

    /// <summary>Off switch for the request limiter (quotas and the LLM gate still apply).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>StackExchange.Redis configuration string (host:port,...). Empty: the limiter runs in process.</summary>
    public string? Redis { get; set; }

    /// <summary>How many API instances share the limits; the in-process fallback admits limit / InstanceCount.</summary>
    public int InstanceCount { get; set; } = 1;

    public RedisFailureMode RedisFailureMode { get; set; } = RedisFailureMode.FallBackToLocal;

    /// <summary>A Redis decision slower than this counts as a failure (and the fallback decides).</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a fallen-back limiter asks Redis whether it answers again.</summary>
    public TimeSpan RedisProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The burst a rate allows, in seconds of that rate, for plans that do not set their own. One minute by
    /// default, so that "N per minute" admits N at once (and then refills at N a minute).
    /// </summary>
    public int BurstSeconds { get; set; } = OneMinute;

    /// <summary>How long a tenant's effective limits are cached; writes through the admin API invalidate at once.</summary>
    public TimeSpan PolicyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an LLM call waits for one of its tenant's slots before it is refused with 429.</summary>
    public TimeSpan LlmQueueTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Route patterns (POST) that also count against the per-user chat limit.</summary>
    public List<string> ChatRoutes { get; set; } = ["/api/chat", "/api/conversations/{id}/messages", "/v1/chat/completions"];

    /// <summary>Per plan name; a plan not listed here gets <see cref="PlanOptions"/>' defaults.</summary>
    public Dictionary<string, PlanOptions> Plans { get; set; } = new(StringComparer.Ordinal)
    {
        ["basic"] = new() { UserRequestsPerMinute = 10, MaxConcurrentLlmCalls = 2 },
        ["premium"] = new() { UserRequestsPerMinute = 10, MaxConcurrentLlmCalls = 8 },
        ["enterprise"] = new() { UserRequestsPerMinute = 10, MaxConcurrentLlmCalls = 32 },
    };

    public PlanOptions PlanFor(string plan) => Plans.TryGetValue(plan, out var options) ? options : new PlanOptions();

    /// <summary>The plan's burst in seconds of its rates: its own, or <see cref="BurstSeconds"/>.</summary>
    public int BurstSecondsFor(string plan) => PlanFor(plan).BurstSeconds ?? BurstSeconds;

    public static bool IsValidBurst(int seconds) => seconds is >= 1 and <= MaxBurstSeconds;

    public void Validate()
    {
        var errors = new List<string>();
        if (InstanceCount < 1)
        {
            errors.Add("InstanceCount must be at least 1");
        }

        if (!IsValidBurst(BurstSeconds))
        {
            errors.Add($"BurstSeconds must be between 1 and {MaxBurstSeconds}");
        }

        if (RedisTimeout <= TimeSpan.Zero || RedisProbeInterval <= TimeSpan.Zero || PolicyCacheTtl < TimeSpan.Zero || LlmQueueTimeout < TimeSpan.Zero)
        {
            errors.Add("RedisTimeout and RedisProbeInterval must be positive, PolicyCacheTtl and LlmQueueTimeout not negative");
        }

        foreach (var (name, plan) in Plans)
        {
            if (plan.UserRequestsPerMinute is <= 0 || plan.MaxConcurrentLlmCalls <= 0)
            {
                errors.Add($"plan {name}: UserRequestsPerMinute and MaxConcurrentLlmCalls must be positive");
            }

            if (plan.BurstSeconds is { } burst && !IsValidBurst(burst))
            {
                errors.Add($"plan {name}: BurstSeconds must be between 1 and {MaxBurstSeconds}");
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Bulkhead:Limits is invalid: " + string.Join("; ", errors) + ".");
        }
    }
}

/// <summary>The parts of a plan kept in configuration.</summary>
public sealed class PlanOptions
{
    /// <summary>Chat calls per user per minute, inside the tenant's limit; null is unlimited.</summary>
    public int? UserRequestsPerMinute { get; set; } = 10;

    /// <summary>LLM calls of one tenant in flight at once, across all instances. Every plan has a cap.</summary>
    public int MaxConcurrentLlmCalls { get; set; } = 4;

    /// <summary>The burst of this plan's rates, in seconds of each rate; null inherits <see cref="LimitsOptions.BurstSeconds"/>.</summary>
    public int? BurstSeconds { get; set; }
}

/// <summary>What the request limiter does while Redis does not answer.</summary>
public enum RedisFailureMode
{
    /// <summary>Decide in process at limit / InstanceCount until Redis answers again. No 5xx.</summary>
    FallBackToLocal,

    /// <summary>Admit every request until Redis answers again.</summary>
    FailOpen,

    /// <summary>Refuse with 503 and Retry-After until Redis answers again.</summary>
    FailClosed,
}
