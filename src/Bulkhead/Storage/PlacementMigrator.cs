using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>One schema that migrations apply to: the control plane, the shared tables, a tenant schema or a tenant database.</summary>
public sealed record MigrationPlacement(string Label, string Tier, string Server, string? Database, string Schema, MigrationSet Set);

public sealed record MigrationOutcome(MigrationPlacement Placement, int Version, int Applied, string? Error);

/// <summary>
/// Applies pending migrations to every placement: the control plane first, then the shared tables,
/// every tenant schema and every tenant database, several at a time. A failing placement is reported
/// and the others carry on; a rerun picks up what is left.
/// </summary>
public sealed class PlacementMigrator(OwnerSources owners, IReadOnlyList<Migration>? tenantMigrations = null)
{
    public async Task<IReadOnlyList<MigrationPlacement>> ListAsync(CancellationToken ct)
    {
        var placements = new List<MigrationPlacement>
        {
            new("control plane", "control", Placement.PrimaryServer, null, Migrator.ControlSchema, MigrationSet.Control),
            new("shared tables", "pooled", Placement.PrimaryServer, null, Placement.SharedSchema, MigrationSet.Tenant),
        };
        try
        {
            await using var command = owners.ControlPlane.CreateCommand("""
                select distinct p.tier, p.server, p.database, p.schema_name, t.slug
                  from control.placements p join control.tenants t on t.id = p.tenant_id
                 where p.tier <> 'pooled' and t.status <> 'deleted'
                 order by 1, 2, 3, 4
                """);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                placements.Add(new MigrationPlacement(
                    reader.GetString(4), reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), MigrationSet.Tenant));
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            // A fresh database: the control plane is not there yet, so neither are tenant placements.
        }

        return placements;
    }

    public async Task<IReadOnlyList<MigrationOutcome>> MigrateAsync(int parallel, IProgress<MigrationOutcome>? progress, CancellationToken ct)
    {
        var control = await MigrateOneAsync(new("control plane", "control", Placement.PrimaryServer, null, Migrator.ControlSchema, MigrationSet.Control), ct);
        progress?.Report(control);
        var outcomes = new List<MigrationOutcome> { control };
        if (control.Error is not null)
        {
            return outcomes;
        }

        var rest = (await ListAsync(ct)).Where(p => p.Set == MigrationSet.Tenant).ToList();
        var results = new MigrationOutcome[rest.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rest.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel), CancellationToken = ct }, async (i, token) =>
        {
            results[i] = await MigrateOneAsync(rest[i], token);
            progress?.Report(results[i]);
        });
        outcomes.AddRange(results);
        return outcomes;
    }

    public async Task<IReadOnlyList<MigrationOutcome>> StatusAsync(CancellationToken ct)
    {
        var outcomes = new List<MigrationOutcome>();
        foreach (var placement in await ListAsync(ct))
        {
            try
            {
                var source = await SourceAsync(placement, ct);
                outcomes.Add(new MigrationOutcome(placement, await new Migrator(source).CurrentVersionAsync(placement.Schema, ct), 0, null));
            }
            catch (Exception e) when (e is NpgsqlException or TenantRuleException)
            {
                outcomes.Add(new MigrationOutcome(placement, 0, 0, e.Message));
            }
        }

        return outcomes;
    }

    private async Task<MigrationOutcome> MigrateOneAsync(MigrationPlacement placement, CancellationToken ct)
    {
        try
        {
            var migrator = new Migrator(await SourceAsync(placement, ct), tenantMigrations);
            var applied = await migrator.MigrateAsync(placement.Set, placement.Schema, ct);
            return new MigrationOutcome(placement, await migrator.CurrentVersionAsync(placement.Schema, ct), applied, null);
        }
        catch (Exception e) when (e is NpgsqlException or TenantRuleException or InvalidOperationException)
        {
            var version = 0;
            try
            {
                version = await new Migrator(await SourceAsync(placement, ct)).CurrentVersionAsync(placement.Schema, ct);
            }
            catch (NpgsqlException)
            {
                // Unreachable: the version stays unknown (0).
            }

            return new MigrationOutcome(placement, version, 0, e.Message);
        }
    }

    private ValueTask<NpgsqlDataSource> SourceAsync(MigrationPlacement placement, CancellationToken ct) =>
        placement.Database is null ? ValueTask.FromResult(owners.ControlPlane) : owners.ForAsync(placement.Server, placement.Database, ct);
}
