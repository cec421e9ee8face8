namespace Bulkhead.Limits;

/// <summary>
/// Fair-sharing settings, bound from <c>Bulkhead:Limits</c>. Every value of a plan lives in
/// <c>control.plans</c> (<see cref="Tenancy.PlanCatalog"/>); per-tenant overrides live in
/// <c>control.tenant_limits</c> and win over the plan.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Bulkhead:Limits";

    public const int OneMinute = 60;

    /// <summary>Off switch for the request limiter (quotas and the LLM gate still apply).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>StackExchange.Redis configuration string (host:port,...). Empty: the limiter runs in process.</summary>
    public string? Redis { get; set; }

    /// <summary>How many API instances share the limits; the in-process fallback admits limit / InstanceCount.</summary>
    public int InstanceCount { get; set; } = 1;

    public RedisFailureMode RedisFailureMode { get; set; } = RedisFailureMode.FallBackToLocal;

    /// <summary>A Redis decision slower than this counts as a failure (and the fallback decides).</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The most admissions one Redis call may take for a busy key, to spend in process (<see cref="LeasedGcra"/>).
    /// 1 asks Redis for every request.
    /// </summary>
    public int LeaseMax { get; set; } = 64;

    /// <summary>How long admissions taken from Redis may be spent; what is left then is dropped.</summary>
    public TimeSpan LeaseLifetime { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a fallen-back limiter asks Redis whether it answers again.</summary>
    public TimeSpan RedisProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The burst a rate allows, in seconds of that rate, for plans that do not set their own (control.plans.burst_seconds). One minute by
    /// default, so that "N per minute" admits N at once (and then refills at N a minute).
    /// </summary>
    public int BurstSeconds { get; set; } = OneMinute;

    /// <summary>How long a tenant's effective limits are cached; writes through the admin API invalidate at once.</summary>
    public TimeSpan PolicyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an LLM call waits for one of its tenant's slots before it is refused with 429.</summary>
    public TimeSpan LlmQueueTimeout { get; set; } = TimeSpan.FromSeconds(20);
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
