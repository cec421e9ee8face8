using System.Collections.Concurrent;
using Bulkhead.Audit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bulkhead.Host.Audit;

/// <summary>
/// Seals every tenant's trail every <see cref="AuditOptions.SealInterval"/> and publishes a signed
/// checkpoint of each tenant's head every <see cref="AuditOptions.CheckpointInterval"/>, also when the
/// tenant was idle, so that a rollback of everything still shows. Each tenant is sealed in its own scope
/// (its id and placement come from the control plane, never from ambient state); several instances share
/// the work (a tenant held by one is skipped by the others), and tenants are visited in a random order so
/// that they rarely meet. One tenant's failure is logged and the others carry on.
/// </summary>
public sealed class AuditSealerService(
    NpgsqlDataSource controlPlane, AuditSealer sealer, CheckpointPublisher publisher, IOptions<AuditOptions> options, TimeProvider time,
    ILogger<AuditSealerService> log) : BackgroundService
{
    // When this instance last published each tenant's checkpoint; keyed by tenant, pruned every run.
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _published = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SealerEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SealInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Audit sealing failed; retrying in {Interval}", options.Value.SealInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        var tenants = (await AuditSealer.TenantsAsync(controlPlane, ct)).ToArray();
        Random.Shared.Shuffle(tenants);
        foreach (var gone in _published.Keys.Except(tenants.Select(t => t.TenantId)).ToList())
        {
            _published.TryRemove(gone, out _);
        }

        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = ct }, async (scope, token) =>
        {
            try
            {
                var result = await sealer.SealAllAsync(scope, token);
                var now = time.GetUtcNow();
                if (result.Locked && (!_published.TryGetValue(scope.TenantId, out var last) || now - last >= options.Value.CheckpointInterval))
                {
                    await publisher.PublishAsync(scope.TenantId, result.Head, token);
                    _published[scope.TenantId] = now;
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or Bulkhead.Tenancy.TenantRuleException)
            {
                log.LogWarning(e, "Sealing the audit trail of tenant {TenantId} failed; it is retried on the next run", scope.TenantId);
            }
        });
    }
}
