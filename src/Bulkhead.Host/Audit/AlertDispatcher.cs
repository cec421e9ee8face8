using System.Threading.Channels;
using Bulkhead.Audit;
using Bulkhead.Host.Observability;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// Does alert work off the request path, so a probed id costs the caller nothing measurable: runs the
/// privileged probe check, stores alerts, logs them and hands them to the webhook. The queue is bounded;
/// when it is full new work is dropped and counted rather than slowing requests down.
/// </summary>
public sealed class AlertDispatcher(
    AlertStore store, AlertWebhook webhook, BulkheadMetrics metrics, IOptions<AlertOptions> options, ILogger<AlertDispatcher> log) : BackgroundService
{
    private readonly Channel<AlertWork> _work = Channel.CreateBounded<AlertWork>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly Channel<Alert> _deliveries = Channel.CreateBounded<Alert>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Enqueue(AlertWork work)
    {
        if (!_work.Writer.TryWrite(work))
        {
            metrics.AlertDropped();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RecordAsync(stoppingToken), DeliverAsync(stoppingToken));

    private async Task RecordAsync(CancellationToken ct)
    {
        await foreach (var work in _work.Reader.ReadAllAsync(ct))
        {
            try
            {
                var alert = work switch
                {
                    ProbeCheck p => await store.ReportProbeAsync(p.TenantId, p.Sub, p.ResourceType, p.ResourceId, ct),
                    RaiseAlert r => await store.RaiseAsync(r.Kind, r.TenantId, r.Sub, r.Detail, ct),
                    _ => null,
                };
                if (alert is null)
                {
                    continue;
                }

                metrics.AlertRaised(alert.Kind);
                log.LogWarning(
                    "Security alert {AlertKind} {AlertId}: tenant {TenantId}, sub {Sub}, target tenant {TargetTenant}, detail {Detail}",
                    alert.Kind, alert.Id, alert.TenantId, alert.Sub, alert.TargetTenant, alert.Detail);
                if (options.Value.WebhookUrl is { Length: > 0 })
                {
                    _deliveries.Writer.TryWrite(alert);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Alert work {Work} failed", work.GetType().Name);
            }
        }
    }

    private async Task DeliverAsync(CancellationToken ct)
    {
        await foreach (var alert in _deliveries.Reader.ReadAllAsync(ct))
        {
            await webhook.SendAsync(alert, ct);
        }
    }
}
