using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Verification;

/// <summary>
/// Every database and tenant schema the lint must inspect, found in the control plane rather than
/// listed by hand, so that a new placement or tier is covered without edits: the shared schema, each
/// schema placement, and each database placement the router can reach.
/// </summary>
public static class PlacementTargets
{
    public static async Task<(IReadOnlyList<LintTarget> Targets, IReadOnlyList<Finding> Unreachable)> DiscoverAsync(
        NpgsqlDataSource controlPlane, IPlacementRouter router, CancellationToken ct)
    {
        var placements = new List<Placement>();
        await using (var command = controlPlane.CreateCommand(
            "select p.tier, p.server, p.database, p.schema_name from control.placements p " +
            "group by 1, 2, 3, 4 order by 2, 3, 4"))
        {
            try
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    placements.Add(new Placement(
                        Enum.Parse<Tier>(reader.GetString(0), ignoreCase: true),
                        reader.GetString(1),
                        reader.IsDBNull(2) ? null : reader.GetString(2),
                        reader.GetString(3)));
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // Not migrated yet: only the shared schema (possibly empty) is there to inspect.
            }
        }

        var targets = new List<LintTarget>();
        var unreachable = new List<Finding>();
        var primarySchemas = new SortedSet<string>(StringComparer.Ordinal) { Placement.SharedSchema };
        primarySchemas.UnionWith(placements.Where(IsPrimary).Select(p => p.Schema));
        targets.Add(new LintTarget(Placement.PrimaryServer, controlPlane, primarySchemas.ToList()));

        foreach (var database in placements.Where(p => !IsPrimary(p)).GroupBy(p => (p.Server, p.Database)))
        {
            var subject = $"{database.Key.Server}/{database.Key.Database}";
            try
            {
                var source = await router.OpenMaintenanceSourceAsync(database.First(), ct);
                targets.Add(new LintTarget(database.Key.Server, source, database.Select(p => p.Schema).Distinct().Order(StringComparer.Ordinal).ToList()));
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or NpgsqlException)
            {
                unreachable.Add(new Finding(LintRules.Reachable, database.Key.Server, database.Key.Database ?? "", subject,
                    false, $"cannot reach this placement to inspect it: {e.Message}"));
            }
        }

        return (targets, unreachable);
    }

    private static bool IsPrimary(Placement p) => p.Server == Placement.PrimaryServer && p.Database is null;
}
