namespace Bulkhead.Host.Audit;

/// <summary>Alert thresholds and the optional webhook (section Bulkhead:Alerts).</summary>
public sealed class AlertOptions
{
    public const string Section = "Bulkhead:Alerts";

    /// <summary>An https (or loopback http) URL that receives each alert as JSON; none when empty.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The HMAC-SHA256 key of the X-Bulkhead-Signature header; required with a webhook.</summary>
    public string? WebhookSecret { get; set; }

    public int WebhookAttempts { get; set; } = 4;

    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>This many 404s from one principal within <see cref="EnumerationWindow"/> raise id_enumeration.</summary>
    public int EnumerationThreshold { get; set; } = 20;

    public TimeSpan EnumerationWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// One issuer's sub active in two or more tenants within this window raises sub_in_several_tenants,
    /// once per issuer, sub and window.
    /// </summary>
    public TimeSpan SubWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether one issuer's sub names one principal in every tenant; only then is a sub in several tenants worth an alert.</summary>
    public SubjectScope SubjectScope { get; set; } = SubjectScope.Auto;

    /// <summary>The same alert (kind and principal) is raised at most once per this period, so a flood stays one alert.</summary>
    public TimeSpan Quiet { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Cross-tenant probe checks one principal (tenant and sub) may cause per minute; its further 404s are not checked.</summary>
    public int ProbeChecksPerMinute { get; set; } = 30;

    /// <summary>Probe checks waiting to run; beyond it new ones are shed (counted and logged), never raised alerts.</summary>
    public int ProbeQueue { get; set; } = 1_000;

    /// <summary>Raised alerts waiting to be stored; when full the raising request waits, so none is dropped.</summary>
    public int AlertQueue { get; set; } = 10_000;

    /// <summary>Principals tracked in memory; the oldest are forgotten beyond it, so memory stays bounded.</summary>
    public int MaxTracked { get; set; } = 100_000;
}
