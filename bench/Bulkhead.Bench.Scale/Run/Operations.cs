using System.Diagnostics;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Bench.Scale.Run;

public sealed record CreateResult(string Tier, int Tenants, Latency Latency);

public sealed record MigrateResult(int SchemaTenants, string Migration, double CreateSeconds, double MigrateSeconds, double PerTenantMs, double NothingPendingSeconds, int Parallel, int Failed);

public sealed record MoveResult(string Slug, string From, string To, long Rows, double CopySeconds, double WritesBlockedSeconds, double TotalSeconds, double RowsPerSecond);

/// <summary>Operations timed through the product's own code: the provisioner, the placement migrator and the mover.</summary>
public sealed class Operations(OwnerSources owners, TextWriter log)
{
    private const string Prefix = "ops-";

    public async Task<IReadOnlyList<CreateResult>> CreateTenantsAsync(int perTier, CancellationToken ct)
    {
        var provisioner = new TenantProvisioner(owners);
        var results = new List<CreateResult>();
        foreach (var tier in new[] { Tier.Pooled, Tier.Schema, Tier.Database })
        {
            var times = new List<double>();
            var made = new List<Tenant>();
            for (var i = 0; i < perTier; i++)
            {
                var started = Stopwatch.GetTimestamp();
                made.Add(await provisioner.CreateAsync($"{Prefix}create-{TenantCatalog.Lower(tier)}-{i}", "Benchmark tenant", "premium", tier, null, ct));
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            results.Add(new CreateResult(TenantCatalog.Lower(tier), perTier, Latency.Of(times)));
            log.WriteLine($"  create {TenantCatalog.Lower(tier)} tenant: median {Latency.Of(times).P50Ms:N1} ms");
            foreach (var tenant in made)
            {
                await provisioner.DeleteAsync(tenant.Id, ct);
            }
        }

        return results;
    }

    /// <summary>
    /// Makes schema tenants one migration behind (every tenant migration but the newest), then times the
    /// placement migrator bringing every placement up to date with the product's file set: a new migration
    /// rolled out to N schemas, plus the run that follows with nothing pending.
    /// </summary>
    public async Task<MigrateResult> MigrateSchemaTenantsAsync(int count, int parallel, CancellationToken ct)
    {
        var all = Migration.Load(MigrationSet.Tenant);
        var behind = all.Take(all.Count - 1).ToList();
        var created = Stopwatch.StartNew();
        var next = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (i, token) =>
        {
            var id = Guid.CreateVersion7();
            var placement = new Placement(Tier.Schema, Placement.PrimaryServer, null, TenantProvisioner.SchemaFor(id));
            await using (var connection = await owners.ControlPlane.OpenConnectionAsync(token))
            await using (var transaction = await connection.BeginTransactionAsync(token))
            {
                await TenantCatalog.InsertAsync(connection, transaction, id, $"{Prefix}migrate-{i:D4}", "Benchmark tenant", "basic", TenantStatus.Active, placement, token);
                await transaction.CommitAsync(token);
            }

            await new Migrator(owners.ControlPlane, behind).MigrateAsync(MigrationSet.Tenant, placement.Schema, token);
            if (Interlocked.Increment(ref next) % 100 == 0)
            {
                log.WriteLine($"  {next}/{count} schema tenants made at migration {behind[^1].Version}");
            }
        });
        created.Stop();

        var migrate = Stopwatch.StartNew();
        var outcomes = await new PlacementMigrator(owners).MigrateAsync(parallel, null, ct);
        migrate.Stop();
        var failed = outcomes.Count(o => o.Error is not null);
        var idle = Stopwatch.StartNew();
        await new PlacementMigrator(owners).MigrateAsync(parallel, null, ct);
        idle.Stop();
        log.WriteLine($"  migrate {count} schema tenants ({all[^1].Version}_{all[^1].Name}): {migrate.Elapsed.TotalSeconds:N1} s; nothing pending: {idle.Elapsed.TotalSeconds:N1} s");
        return new MigrateResult(count, $"{all[^1].Version:D4}_{all[^1].Name}", created.Elapsed.TotalSeconds, migrate.Elapsed.TotalSeconds,
            migrate.Elapsed.TotalMilliseconds / count, idle.Elapsed.TotalSeconds, parallel, failed);
    }

    /// <summary>Moves a tenant to the schema tier and back, through the product's online mover.</summary>
    public async Task<IReadOnlyList<MoveResult>> MoveAsync(Tenant tenant, CancellationToken ct)
    {
        var mover = new TenantMover(owners, new TenantProvisioner(owners), TimeProvider.System);
        var results = new List<MoveResult>();
        foreach (var tier in new[] { Tier.Schema, Tier.Pooled })
        {
            var report = await mover.MoveAsync(tenant.Id, tier, null, new StepClock(log), ct);
            var rows = report.Rows.Values.Sum();
            results.Add(new MoveResult(report.Slug, report.From, report.To, rows, report.CopyTime.TotalSeconds, report.WritesBlocked.TotalSeconds, report.Total.TotalSeconds, report.RowsPerSecond));
            log.WriteLine($"  move {report.Slug} {TenantCatalog.Lower(tier)}: {rows:N0} rows, {report.RowsPerSecond:N0} rows/s");
        }

        return results;
    }

    /// <summary>Removes what the operations made: tenants named ops-*, their schemas and databases.</summary>
    public async Task CleanUpAsync(CancellationToken ct)
    {
        var catalog = new TenantCatalog(owners.ControlPlane);
        var provisioner = new TenantProvisioner(owners);
        var leftovers = (await catalog.ListAsync(ct)).Where(t => t.Slug.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        await Parallel.ForEachAsync(leftovers, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (tenant, token) =>
            await provisioner.PurgeAsync(tenant.Id, tenant.Placement, token));
        await using var delete = owners.ControlPlane.CreateCommand("delete from control.tenants where slug like 'ops-%'");
        await delete.ExecuteNonQueryAsync(ct);
        await using var events = owners.ControlPlane.CreateCommand("delete from control.tenant_events where slug like 'ops-%'");
        await events.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Logs each step of a move with the time since the move started, so that a slow step shows.</summary>
    private sealed class StepClock(TextWriter log) : IProgress<string>
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        public void Report(string value) => log.WriteLine($"    {_clock.Elapsed.TotalSeconds,6:N2} s  {value}");
    }
}
