using System.Diagnostics;
using Bulkhead.Audit;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>One way of sending the list read, at one number of connections: reads per second and latency.</summary>
public sealed record DatabaseCostRound(string Name, int Connections, long Reads, double ReadsPerSecond, Latency Latency);

/// <summary>
/// What the database and Npgsql pay for one list read, each layer of the full stack's read added in turn,
/// below HTTP: closed-loop readers on their own connections, in rotating rounds.
/// </summary>
public sealed record DatabaseCostResult(IReadOnlyList<DatabaseCostRound> Rounds);

/// <summary>
/// The list read four ways, the same SQL (<see cref="ConversationStore.ListCommand"/>) on the same data, every
/// side with the runtime role's connection settings (<see cref="RuntimeConnection"/>):
/// <list type="bullet">
/// <item>the bare endpoint's statement: the owner role, the query alone;</item>
/// <item>a tenant session without an actor: the runtime role under RLS, the context in the same batch;</item>
/// <item>a tenant session with an actor, relaxed reads (the default): the read and its event in one statement,
/// committed without waiting for the WAL flush;</item>
/// <item>the same, durable: the commit waits for the flush.</item>
/// </list>
/// The difference between the first and the third is what the database does for the full stack's read and the
/// bare endpoint's does not; everything above it (HTTP, tokens, the limiter, JSON) is the rest of the gap.
/// </summary>
public static class DatabaseCost
{
    public const string Bare = "owner, the query alone (the bare endpoint's statement)";
    public const string Session = "tenant session, no audit (context + query under RLS)";
    public const string Relaxed = "tenant session, audited, relaxed (the full stack's read)";
    public const string Durable = "tenant session, audited, durable";

    public static async Task<DatabaseCostResult> RunAsync(BenchCluster cluster, Tenant tenant, string sub, int[] connections, TimeSpan slice, int rounds, CancellationToken ct)
    {
        var max = connections.Max();
        await using var owner = NpgsqlDataSource.Create(RuntimeConnection.Prepared(new NpgsqlConnectionStringBuilder(cluster.Owner()) { SearchPath = tenant.Placement.Schema, MaxPoolSize = max + 2 }).ConnectionString);
        await using var app = NpgsqlDataSource.Create(RuntimeConnection.Prepared(new NpgsqlConnectionStringBuilder(cluster.App()) { MaxPoolSize = max + 2 }).ConnectionString);
        var router = new PrimaryPlacementRouter(app);
        var viewer = new Viewer(sub, SeesWholeTenant: false);
        var scope = tenant.Scope;

        NpgsqlBatchCommand List() => ConversationStore.ListCommand(tenant.Id, viewer, null, null, 21);

        async Task<int> DrainAsync(NpgsqlDataReader reader)
        {
            var rows = 0;
            while (await reader.ReadAsync(ct))
            {
                rows++;
            }

            return rows;
        }

        async Task<int> BareAsync()
        {
            await using var connection = await owner.OpenConnectionAsync(ct);
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(List());
            await using var reader = await batch.ExecuteReaderAsync(ct);
            return await DrainAsync(reader);
        }

        async Task<int> SessionAsync(AuditActor? actor)
        {
            await using var session = await TenantSession.OpenAsync(scope, router, actor, ct);
            await using var reader = await session.ReadAsync(ct, session.Audited(AuditActions.ConversationList, null, List()));
            return await DrainAsync(reader);
        }

        AuditActor Actor(bool relaxed) =>
            new(sub, "member", "bench-token", Guid.NewGuid().ToString("N"), "127.0.0.1", "GET /api/conversations", RelaxedReads: relaxed);

        var ways = new (string Name, Func<Task<int>> Read)[]
        {
            (Bare, BareAsync),
            (Session, () => SessionAsync(null)),
            (Relaxed, () => SessionAsync(Actor(relaxed: true))),
            (Durable, () => SessionAsync(Actor(relaxed: false))),
        };

        foreach (var (name, read) in ways)
        {
            var rows = await read();
            if (rows == 0)
            {
                throw new InvalidOperationException($"{name}: the list of {tenant.Slug} for sub {sub} is empty");
            }

            // Warm every pool's connections and their prepared statements.
            await Task.WhenAll(Enumerable.Range(0, max).Select(async _ =>
            {
                for (var i = 0; i < 5; i++)
                {
                    await read();
                }
            }));
        }

        var measured = new List<DatabaseCostRound>();
        foreach (var n in connections)
        {
            var samples = ways.Select(_ => new List<double>()).ToArray();
            var reads = new long[ways.Length];
            var elapsed = new double[ways.Length];
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < ways.Length; k++)
                {
                    // Rotate the order every round so that no way always runs first.
                    var which = (round + k) % ways.Length;
                    var (count, seconds, latencies) = await ClosedLoopAsync(ways[which].Read, n, slice, ct);
                    reads[which] += count;
                    elapsed[which] += seconds;
                    samples[which].AddRange(latencies);
                }
            }

            for (var k = 0; k < ways.Length; k++)
            {
                measured.Add(new DatabaseCostRound(ways[k].Name, n, reads[k], reads[k] / elapsed[k], Latency.Of(samples[k])));
            }
        }

        return new DatabaseCostResult(measured);
    }

    private static async Task<(long Reads, double Seconds, List<double> Latencies)> ClosedLoopAsync(Func<Task<int>> read, int workers, TimeSpan slice, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var latencies = new List<double>[workers];
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            var mine = latencies[w] = [];
            while (clock.Elapsed < slice)
            {
                ct.ThrowIfCancellationRequested();
                var started = Stopwatch.GetTimestamp();
                await read();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).ToList();
        return (all.Count, clock.Elapsed.TotalSeconds, all);
    }
}
