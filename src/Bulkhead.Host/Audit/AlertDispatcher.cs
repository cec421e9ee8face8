using System.Threading.Channels;
using Bulkhead.Audit;
using Bulkhead.Host.Observability;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// Does alert work off the request path, so a probed id costs the caller nothing measurable. Two queues,
/// so that probe work can never crowd out an alert: raised alerts wait in their own bounded queue, and
/// when it is full the raising request waits (alerts are throttled per principal, so this is rare and
/// falls on whoever floods); probe checks, which any tenant can cause with 404s, are budgeted per
/// principal (<see cref="ProbeBudget"/>) and shed when their queue is full, counted in
/// bulkhead.alerts.dropped and summed up in a log line at most once a minute.
/// </summary>
public sealed class AlertDispatcher : BackgroundService
{
    private readonly AlertStore _store;
    private readonly AlertWebhook _webhook;
    private readonly ProbeBudget _budget;
    private readonly BulkheadMetrics _metrics;
    private readonly IOptions<AlertOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertDispatcher> _log;
    private readonly Channel<RaiseAlert> _alerts;
    private readonly Channel<ProbeCheck> _probes;
    // Full mode Wait for every queue, so that TryWrite says when one is full (the Drop modes report success and drop silently).
    private readonly Channel<Alert> _deliveries = Channel.CreateBounded<Alert>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly CancellationTokenSource _stopping = new();
    private long _queueFull;
    private long _overBudget;
    private long _nextShedLog;

    public AlertDispatcher(
        AlertStore store, AlertWebhook webhook, ProbeBudget budget, BulkheadMetrics metrics, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertDispatcher> log)
    {
        (_store, _webhook, _budget, _metrics, _options, _time, _log) = (store, webhook, budget, metrics, options, time, log);
        _alerts = Channel.CreateBounded<RaiseAlert>(new BoundedChannelOptions(options.Value.AlertQueue) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        _probes = Channel.CreateBounded<ProbeCheck>(new BoundedChannelOptions(options.Value.ProbeQueue) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    }

    /// <summary>Queues an alert to be stored; never drops it: when the queue is full the caller waits for room.</summary>
    public ValueTask RaiseAsync(RaiseAlert alert) =>
        _alerts.Writer.TryWrite(alert) ? ValueTask.CompletedTask : _alerts.Writer.WriteAsync(alert, _stopping.Token);

    /// <summary>Queues a cross-tenant check of a 404 when the principal's budget allows; sheds it (counted, logged) when the queue is full.</summary>
    public void Check(ProbeCheck check)
    {
        switch (_budget.Admit(check))
        {
            case ProbeAdmission.Repeated:
                return;
            case ProbeAdmission.OverBudget:
                Shed(ref _overBudget);
                return;
        }

        if (!_probes.Writer.TryWrite(check))
        {
            _metrics.AlertDropped();
            Shed(ref _queueFull);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RecordAsync(stoppingToken), ProbeAsync(stoppingToken), DeliverAsync(stoppingToken));

    private async Task RecordAsync(CancellationToken ct)
    {
        await foreach (var raise in _alerts.Reader.ReadAllAsync(ct))
        {
            await RunAsync(raise, async () => await _store.RaiseAsync(raise.Kind, raise.TenantId, raise.Sub, raise.Detail, ct));
        }
    }

    private async Task ProbeAsync(CancellationToken ct)
    {
        await foreach (var probe in _probes.Reader.ReadAllAsync(ct))
        {
            await RunAsync(probe, () => _store.ReportProbeAsync(probe.TenantId, probe.Sub, probe.ResourceType, probe.ResourceId, ct));
        }
    }

    private async Task RunAsync(AlertWork work, Func<Task<Alert?>> run)
    {
        try
        {
            if (await run() is not { } alert)
            {
                return;
            }

            _metrics.AlertRaised(alert.Kind);
            _log.LogWarning(
                "Security alert {AlertKind} {AlertId}: tenant {TenantId}, sub {Sub}, target tenant {TargetTenant}, detail {Detail}",
                alert.Kind, alert.Id, alert.TenantId, alert.Sub, alert.TargetTenant, alert.Detail);
            if (_options.Value.WebhookUrl is { Length: > 0 } && !_deliveries.Writer.TryWrite(alert))
            {
                _log.LogError("Alert {AlertId} was not queued for the webhook (delivery queue full); it stays listed at /api/admin/alerts", alert.Id);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogError(e, "Alert work {Work} failed: {Alert}", work.GetType().Name, work);
        }
    }

    private async Task DeliverAsync(CancellationToken ct)
    {
        await foreach (var alert in _deliveries.Reader.ReadAllAsync(ct))
        {
            await _webhook.SendAsync(alert, ct);
        }
    }

    // One line a minute at most, so that shedding under a flood does not become a flood of log lines.
    private void Shed(ref long counter)
    {
        Interlocked.Increment(ref counter);
        var now = _time.GetUtcNow().UtcTicks;
        var next = Interlocked.Read(ref _nextShedLog);
        if (now < next || Interlocked.CompareExchange(ref _nextShedLog, now + TimeSpan.TicksPerMinute, next) != next)
        {
            return;
        }

        _log.LogWarning(
            "Probe checks shed since the last report: {QueueFull} because the probe queue ({ProbeQueue}) was full, {OverBudget} because their principal "
            + "passed {PerMinute} checks a minute. Raised alerts are not shed.",
            Interlocked.Exchange(ref _queueFull, 0), _options.Value.ProbeQueue, Interlocked.Exchange(ref _overBudget, 0), _options.Value.ProbeChecksPerMinute);
    }
}
