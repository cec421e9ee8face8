using Bulkhead.Compliance;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Compliance;

/// <summary>
/// Runs the retention sweep every <see cref="RetentionOptions.Interval"/>: reads the tenant list from the
/// control plane, then sweeps each tenant in its own scope (the tenant id travels in the work item). One
/// tenant's failure is logged and the others carry on. With several instances each sweeps; the deletes
/// are idempotent, so that costs only work.
/// </summary>
public sealed class RetentionService(RetentionSweep sweep, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // The first run waits one interval, so that a restart loop does not sweep every tenant each time.
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Retention run failed; retrying in {Interval}", options.Value.Interval);
            }
        }
    }

    public async Task<IReadOnlyList<RetentionResult>> RunOnceAsync(CancellationToken ct)
    {
        var work = await sweep.PlanAsync(ct);
        var results = new List<RetentionResult>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = ct }, async (item, token) =>
        {
            try
            {
                var result = await sweep.SweepAsync(item, token);
                lock (results)
                {
                    results.Add(result);
                }

                if (result.Conversations + result.Messages > 0)
                {
                    log.LogInformation("Retention deleted {Conversations} conversations and {Messages} messages of tenant {TenantId}",
                        result.Conversations, result.Messages, item.Scope.TenantId);
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or Bulkhead.Tenancy.TenantRuleException)
            {
                log.LogWarning(e, "Retention of tenant {TenantId} failed; it is retried on the next run", item.Scope.TenantId);
            }
        });
        return results;
    }
}
