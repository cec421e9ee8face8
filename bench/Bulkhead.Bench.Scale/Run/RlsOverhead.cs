using System.Diagnostics;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>The list query's latency three ways, alternating in one run on the same data.</summary>
public sealed record RlsResult(bool Prepared, Latency Rls, Latency NoRls, Latency NoRlsWithContext, double RatioP50, double RatioP95, double PolicyRatioP50, double PolicyRatioP95, string PlanRls, string PlanNoRls);

/// <summary>
/// Row-level security's cost, measured below HTTP: the seed's list SQL (<see cref="ConversationStore.ListCommand"/>)
/// as <c>bulkhead_app</c> through <see cref="TenantSession"/> (context + query in one round trip, under RLS),
/// against the owner role (BYPASSRLS) sending only the query with its explicit tenant_id filter, and the owner
/// sending the same context batch (so the difference is the policy alone). Each iteration runs the three in turn.
/// </summary>
public static class RlsOverhead
{
    /// <param name="prepared">Both sides with the runtime role's automatic preparation (<see cref="RuntimeConnection"/>), or both without.</param>
    public static async Task<RlsResult> RunAsync(BenchCluster cluster, Tenant tenant, string sub, int iterations, bool prepared, CancellationToken ct)
    {
        string Connection(NpgsqlConnectionStringBuilder builder) =>
            prepared ? RuntimeConnection.Prepared(builder).ConnectionString : new NpgsqlConnectionStringBuilder(builder.ConnectionString) { MaxAutoPrepare = 0 }.ConnectionString;
        await using var app = NpgsqlDataSource.Create(Connection(new NpgsqlConnectionStringBuilder(cluster.App())));
        await using var owner = NpgsqlDataSource.Create(Connection(new NpgsqlConnectionStringBuilder(cluster.Owner()) { SearchPath = tenant.Placement.Schema }));
        var router = new PrimaryPlacementRouter(app);
        var viewer = new Viewer(sub, SeesWholeTenant: false);
        var scope = new TenantScope(tenant.Id, tenant.Placement);

        async Task<int> Rls()
        {
            await using var session = await TenantSession.OpenAsync(scope, router, ct);
            await using var reader = await session.ReadAsync(ct, ConversationStore.ListCommand(tenant.Id, viewer, null, null, 21));
            var rows = 0;
            while (await reader.ReadAsync(ct))
            {
                rows++;
            }

            return rows;
        }

        async Task<int> Owner(bool withContext)
        {
            await using var connection = await owner.OpenConnectionAsync(ct);
            await using var batch = new NpgsqlBatch(connection);
            if (withContext)
            {
                batch.BatchCommands.Add(Sql.Command("select set_config('app.tenant_id', $1, true), set_config('search_path', $2, true)", tenant.Id.ToString(), tenant.Placement.Schema));
            }

            batch.BatchCommands.Add(ConversationStore.ListCommand(tenant.Id, viewer, null, null, 21));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            if (withContext)
            {
                await reader.NextResultAsync(ct);
            }

            var rows = 0;
            while (await reader.ReadAsync(ct))
            {
                rows++;
            }

            return rows;
        }

        var expected = await Owner(false);
        if (await Rls() != expected || expected == 0)
        {
            throw new InvalidOperationException($"the RLS and owner queries disagree or find nothing ({expected} rows as owner)");
        }

        var series = new[] { new List<double>(iterations), new List<double>(iterations), new List<double>(iterations) };
        var contenders = new Func<Task<int>>[] { Rls, () => Owner(false), () => Owner(true) };
        for (var i = 0; i < iterations + (iterations / 10); i++)
        {
            // Rotate the order every iteration so that no side always runs first (cache, scheduler).
            for (var k = 0; k < 3; k++)
            {
                var which = (i + k) % 3;
                var started = Stopwatch.GetTimestamp();
                await contenders[which]();
                if (i >= iterations / 10)
                {
                    series[which].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }

        var (rls, noRls, withContext) = (Latency.Of(series[0]), Latency.Of(series[1]), Latency.Of(series[2]));
        return new RlsResult(prepared, rls, noRls, withContext, rls.P50Ms / noRls.P50Ms, rls.P95Ms / noRls.P95Ms, rls.P50Ms / withContext.P50Ms, rls.P95Ms / withContext.P95Ms,
            await ExplainAsync(app, tenant, viewer, asRuntimeRole: true, ct), await ExplainAsync(owner, tenant, viewer, asRuntimeRole: false, ct));
    }

    private static async Task<string> ExplainAsync(NpgsqlDataSource source, Tenant tenant, Viewer viewer, bool asRuntimeRole, CancellationToken ct)
    {
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (asRuntimeRole)
        {
            batch.BatchCommands.Add(Sql.Command("select set_config('app.tenant_id', $1, true), set_config('search_path', $2, true)", tenant.Id.ToString(), tenant.Placement.Schema));
        }

        var list = ConversationStore.ListCommand(tenant.Id, viewer, null, null, 21);
        var explain = new NpgsqlBatchCommand("explain (analyze, buffers, costs off, timing on) " + list.CommandText);
        foreach (NpgsqlParameter p in list.Parameters)
        {
            explain.Parameters.Add(new NpgsqlParameter { Value = p.Value });
        }

        batch.BatchCommands.Add(explain);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (asRuntimeRole)
        {
            await reader.NextResultAsync(ct);
        }

        var lines = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
