using Bulkhead.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bulkhead.Host.Hosting;

/// <summary>Refuses to start the server when the database could leak across tenants, and says why.</summary>
public sealed class IsolationPreflightService(
    NpgsqlDataSource runtime, IPlacementRouter router, IOptions<BulkheadOptions> options, ILogger<IsolationPreflightService> log)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var failures = await IsolationPreflight.RunAsync(runtime, router, cancellationToken);
        if (failures.Count == 0)
        {
            log.LogInformation("Isolation preflight passed: the catalog lint of every placement found nothing (see ./bulkhead verify)");
            return;
        }

        foreach (var failure in failures)
        {
            log.LogCritical("Isolation preflight failed: {Failure}", failure);
        }

        if (options.Value.UnsafeSkipIsolationChecks)
        {
            log.LogCritical("SERVING ANYWAY because Bulkhead:UnsafeSkipIsolationChecks is set. Tenant isolation is NOT guaranteed.");
            return;
        }

        throw new InvalidOperationException("Refusing to serve: " + string.Join("; ", failures) + ".");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
