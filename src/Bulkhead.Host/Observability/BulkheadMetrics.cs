using System.Diagnostics.Metrics;

namespace Bulkhead.Host.Observability;

/// <summary>Bulkhead's own instruments. Every label has a bounded set of values (see <see cref="TenantLabels"/>).</summary>
public sealed class BulkheadMetrics : IDisposable
{
    public const string MeterName = "Bulkhead";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _dropped;

    public BulkheadMetrics(IMeterFactory meters, TenantLabels labels)
    {
        Labels = labels;
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("bulkhead.tenant.requests", "{request}", "Tenant requests by tenant (bounded), tier and status class.");
        _duration = _meter.CreateHistogram<double>("bulkhead.tenant.request.duration", "s", "Tenant request duration by tenant (bounded) and tier.");
        _alerts = _meter.CreateCounter<long>("bulkhead.alerts", "{alert}", "Security alerts raised, by kind.");
        _dropped = _meter.CreateCounter<long>("bulkhead.alerts.dropped", "{alert}", "Alert work dropped because the queue was full.");
    }

    public TenantLabels Labels { get; }

    public void Request(Guid tenant, string tier, int status, double seconds)
    {
        var label = new KeyValuePair<string, object?>("tenant", Labels.For(tenant));
        var tierLabel = new KeyValuePair<string, object?>("tier", tier);
        _requests.Add(1, label, tierLabel, new KeyValuePair<string, object?>("status_class", (status / 100) + "xx"));
        _duration.Record(seconds, label, tierLabel);
    }

    public void AlertRaised(string kind) => _alerts.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void AlertDropped() => _dropped.Add(1);

    public void Dispose() => _meter.Dispose();
}
