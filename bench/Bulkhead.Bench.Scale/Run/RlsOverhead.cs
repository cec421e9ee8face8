using System.Diagnostics;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>The list query's latency three ways, alternating in one run on the same data.</summary>
public sealed record RlsResult(bool Prepared, Latency Rls, Latency NoRls, Latency NoRlsWithContext, double RatioP50, double RatioP95, double PolicyRatioP50, double PolicyRatioP95, string PlanRls, string PlanNoRls);

/// <summary>
/// Row-level security's cost, measured below HTTP, with the runtime role's automatic preparation and without: the seed's list SQL (<see cref="ConversationStore.ListCommand"/>)
/// as <c>bulkhead_app</c> through <see cref="TenantSession"/> (context + query in one round trip, under RLS),
/// against the owner role (BYPASSRLS) sending only the query with its explicit tenant_id filter, and the owner
/// sending the same context batch (so the difference is the policy alone). Each iteration runs the three in turn.
/// </summary>
public static class RlsOverhead
{
    /// <summary>
    /// The runtime role's automatic preparation (<see cref="RuntimeConnection"/>) on every side, then none on any
    /// (Max Auto Prepare=0), each mode in a loop of its own: mixed into one loop, the unprepared statements'
    /// planning between the prepared ones slowed the prepared RLS side more than the others (p50 ratio 1.29
    /// mixed against 1.18 alone, same data, same minute).
    /// </summary>
    public static async Task<(RlsResult Prepared, RlsResult Unprepared)> RunAsync(BenchCluster cluster, Tenant tenant, string sub, int iterations, CancellationToken ct)
    {
        await using var prepared = new Side(cluster, tenant, sub, prepared: true, ct);
        await using var unprepared = new Side(cluster, tenant, sub, prepared: false, ct);
        return (await MeasureAsync(prepared, iterations), await MeasureAsync(unprepared, iterations));
    }

    private static async Task<RlsResult> MeasureAsync(Side side, int iterations)
    {
        var expected = await side.Owner(false);
        if (await side.Rls() != expected || expected == 0)
        {
            throw new InvalidOperationException($"the RLS and owner queries disagree or find nothing ({expected} rows as owner)");
        }

        var contenders = new Func<Task<int>>[] { side.Rls, () => side.Owner(false), () => side.Owner(true) };
        var series = contenders.Select(_ => new List<double>(iterations)).ToArray();
        for (var i = 0; i < iterations + (iterations / 10); i++)
        {
            // Rotate the order every iteration so that no side always runs first (cache, scheduler).
            for (var k = 0; k < contenders.Length; k++)
            {
                var which = (i + k) % contenders.Length;
                var started = Stopwatch.GetTimestamp();
                await contenders[which]();
                if (i >= iterations / 10)
                {
                    series[which].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }

        return await side.ResultAsync(series[0], series[1], series[2]);
    }

    private sealed class Side : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _app;
        private readonly NpgsqlDataSource _owner;
        private readonly PrimaryPlacementRouter _router;
        private readonly Viewer _viewer;
        private readonly TenantScope _scope;
        private readonly Tenant _tenant;
        private readonly bool _prepared;
        private readonly CancellationToken _ct;

        public Side(BenchCluster cluster, Tenant tenant, string sub, bool prepared, CancellationToken ct)
        {
            string Connection(NpgsqlConnectionStringBuilder builder) =>
                prepared ? RuntimeConnection.Prepared(builder).ConnectionString : new NpgsqlConnectionStringBuilder(builder.ConnectionString) { MaxAutoPrepare = 0 }.ConnectionString;
            _app = NpgsqlDataSource.Create(Connection(new NpgsqlConnectionStringBuilder(cluster.App())));
            _owner = NpgsqlDataSource.Create(Connection(new NpgsqlConnectionStringBuilder(cluster.Owner()) { SearchPath = tenant.Placement.Schema }));
            _router = new PrimaryPlacementRouter(_app);
            _viewer = new Viewer(sub, SeesWholeTenant: false);
            _scope = tenant.Scope;
            _tenant = tenant;
            _prepared = prepared;
            _ct = ct;
        }

        public async Task<int> Rls()
        {
            var ct = _ct;
            await using var session = await TenantSession.OpenAsync(_scope, _router, ct);
            await using var reader = await session.ReadAsync(ct, ConversationStore.ListCommand(_tenant.Id, _viewer, null, null, 21));
            var rows = 0;
            while (await reader.ReadAsync(ct))
            {
                rows++;
            }

            return rows;
        }

        public async Task<int> Owner(bool withContext)
        {
            var ct = _ct;
            var tenant = _tenant;
            await using var connection = await _owner.OpenConnectionAsync(ct);
            await using var batch = new NpgsqlBatch(connection);
            if (withContext)
            {
                batch.BatchCommands.Add(Sql.Command("select set_config('app.tenant_id', $1, true), set_config('search_path', $2, true)", tenant.Id.ToString(), tenant.Placement.Schema));
            }

            batch.BatchCommands.Add(ConversationStore.ListCommand(tenant.Id, _viewer, null, null, 21));
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

        public async Task<RlsResult> ResultAsync(List<double> rlsSeries, List<double> noRlsSeries, List<double> withContextSeries)
        {
            var (rls, noRls, withContext) = (Latency.Of(rlsSeries), Latency.Of(noRlsSeries), Latency.Of(withContextSeries));
            return new RlsResult(_prepared, rls, noRls, withContext, rls.P50Ms / noRls.P50Ms, rls.P95Ms / noRls.P95Ms, rls.P50Ms / withContext.P50Ms, rls.P95Ms / withContext.P95Ms,
                await ExplainAsync(_app, _tenant, _viewer, asRuntimeRole: true, _ct), await ExplainAsync(_owner, _tenant, _viewer, asRuntimeRole: false, _ct));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            await _owner.DisposeAsync();
        }
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
