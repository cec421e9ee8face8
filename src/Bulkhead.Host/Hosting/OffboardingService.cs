using Bulkhead.Tenancy;

namespace Bulkhead.Host.Hosting;

/// <summary>
/// Finishes offboardings that stopped half-way (a crash, a failed purge, a server shut down mid-delete):
/// at start-up and every <see cref="Interval"/>, every tenant left 'deleting' is deleted again. A tenant
/// whose lifecycle lock is held (its delete is running elsewhere) is left to that holder.
/// </summary>
public sealed class OffboardingService(TenantAdministration administration, TimeProvider time, ILogger<OffboardingService> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Offboarding sweep failed; retrying in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many tenants it finished deleting.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var finished = 0;
        foreach (var id in await administration.DeletingAsync(ct))
        {
            try
            {
                if (await administration.DeleteAsync(id, ct) is { } report)
                {
                    finished++;
                    log.LogInformation("Finished offboarding tenant {TenantId} ({Slug})", id, report.Slug);
                }
            }
            catch (TenantBusyException)
            {
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                log.LogWarning(e, "Offboarding of tenant {TenantId} failed; it is retried on the next sweep", id);
            }
        }

        return finished;
    }
}
