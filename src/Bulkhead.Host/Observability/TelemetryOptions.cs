namespace Bulkhead.Host.Observability;

/// <summary>Traces, metrics and their export (section Bulkhead:Telemetry).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Bulkhead:Telemetry";

    /// <summary>Distinct tenants that get their own metric label before the rest are counted as "other".</summary>
    public int TenantLabels { get; set; } = 100;

    /// <summary>An OTLP endpoint (http://collector:4318) for traces and metrics; none when empty. /metrics is served either way.</summary>
    public string? OtlpEndpoint { get; set; }
}
