using Npgsql;

namespace Bulkhead.Verification;

/// <summary>
/// Inspects the live catalog of every placement and reports, rule by rule, what passes and what
/// fails. The same lint backs <c>./bulkhead verify</c> and the server's start-up preflight.
/// </summary>
public sealed class CatalogLint(Allowlist allowlist, TimeProvider time)
{
    public CatalogLint()
        : this(Allowlist.Embedded, TimeProvider.System)
    {
    }

    /// <summary>Databases inspected at once: the inspection waits on catalog round trips, not on the CPU.</summary>
    public const int Parallelism = 4;

    /// <param name="unreachable">Findings of placements that discovery could not reach; they fail the report.</param>
    public async Task<LintReport> RunAsync(IReadOnlyList<LintTarget> targets, IReadOnlyList<Finding> unreachable, CancellationToken ct)
    {
        // One database after another would make a restarted server wait for the sum of them all; the report
        // keeps the targets' order whatever order they finish in.
        var results = new (InspectedDatabase Described, List<Finding> Findings)[targets.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (i, token) => results[i] = await InspectAsync(targets[i], token));

        var findings = new List<Finding>(unreachable);
        findings.AddRange(results.SelectMany(r => r.Findings));
        return new LintReport(time.GetUtcNow(), results.Select(r => r.Described).ToList(), findings);
    }

    private async Task<(InspectedDatabase, List<Finding>)> InspectAsync(LintTarget target, CancellationToken ct)
    {
        await using var connection = await target.Source.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var described = await DescribeAsync(connection, transaction, target, ct);
        var findings = new List<Finding>
        {
            new(LintRules.Reachable, target.Server, described.Database, $"{target.Server}/{described.Database}", true,
                $"inspected at {described.Address} as {described.Role}; tenant schemas {string.Join(", ", target.TenantSchemas)}"),
        };
        var inspection = new Inspection(connection, transaction, target, described.Database, described.Role);
        await inspection.LoadTablesAsync(ct);
        await RuntimeRoleCheck.RunAsync(inspection, ct);
        await RowSecurityCheck.RunAsync(inspection, ct);
        await ConventionCheck.RunAsync(inspection, ct);
        await TenantSchemaCheck.RunAsync(inspection, allowlist, ct);
        await KeyCheck.RunAsync(inspection, ct);
        await DefinitionCheck.RunAsync(inspection, ct);
        findings.AddRange(inspection.Findings);
        // Nothing was written; rolling back also drops the probes' transaction-local settings.
        await transaction.RollbackAsync(ct);
        return (described, findings);
    }

    /// <summary>Lints every placement the control plane knows, reached as the runtime role.</summary>
    public async Task<LintReport> RunAsync(NpgsqlDataSource runtime, Storage.IPlacementRouter router, CancellationToken ct)
    {
        var (targets, unreachable) = await PlacementTargets.DiscoverAsync(runtime, router, ct);
        try
        {
            return await RunAsync(targets, unreachable, ct);
        }
        finally
        {
            // Database placements were reached through maintenance sources of their own.
            foreach (var target in targets.Where(t => !ReferenceEquals(t.Source, runtime)))
            {
                await target.Source.DisposeAsync();
            }
        }
    }

    private static async Task<InspectedDatabase> DescribeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LintTarget target, CancellationToken ct)
    {
        await using (var readOnly = new NpgsqlCommand("set transaction read only", connection, transaction))
        {
            await readOnly.ExecuteNonQueryAsync(ct);
        }

        await using var command = new NpgsqlCommand(
            "select current_database(), current_user, current_setting('server_version'), " +
            "coalesce(host(inet_server_addr()) || ':' || inet_server_port(), 'local socket')",
            connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new InspectedDatabase(target.Server, reader.GetString(3), reader.GetString(0), reader.GetString(1), reader.GetString(2), target.TenantSchemas);
    }
}

/// <summary>Which database a report read: the auditor's "where was this measured".</summary>
public sealed record InspectedDatabase(string Server, string Address, string Database, string Role, string PostgresVersion, IReadOnlyList<string> TenantSchemas);
