using System.Globalization;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Hosting.ScaleOut;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Hosting;

/// <summary>
/// <c>./bulkhead bench scale</c>: the scale-out test's deployment and load driver, measured. The same tenants
/// and data under the same load with 1, 2 and 3 nodes (a node is added between phases), then the kill and
/// move run. Writes a Markdown table to bench/results/scale.md.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScaleOutBenchmark(ITestOutputHelper output)
{
    [BenchmarkFact]
    public async Task throughput_with_one_two_and_three_nodes_and_the_kill_and_move_run()
    {
        var seconds = int.Parse(Environment.GetEnvironmentVariable(BenchmarkFactAttribute.SecondsVariable)!, CultureInfo.InvariantCulture);
        var workers = int.Parse(Environment.GetEnvironmentVariable("BULKHEAD_BENCH_SCALE_WORKERS") is { Length: > 0 } w ? w : "12", CultureInfo.InvariantCulture);
        await using var deployment = await ScaleOutDeployment.StartAsync(instances: 3);
        var tenants = await deployment.CreateTenantsAsync(pooled: 21, schema: 14, database: 7);
        var limited = tenants.First(t => t.Tenant.Placement.Tier == Tier.Pooled);
        var moved = tenants.Last(t => t.Tenant.Placement.Tier == Tier.Pooled);
        var loaded = tenants.Where(t => t != limited).ToList();

        var lines = new List<string>
        {
            $"{loaded.Count} tenants (20 pooled, 14 schema, 7 database on the second server; the limited tenant apart), {workers} load workers, {seconds} s per phase (the first fifth not counted), load average before: {File.ReadAllText("/proc/loadavg").Trim()}",
            "",
            "| nodes | requests/s | p50 ms | p95 ms | p99 ms | failed |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        for (var nodes = 1; nodes <= 3; nodes++)
        {
            await deployment.StartNodesAsync(1);
            using var load = new ScaleLoad(deployment.Nodes.Select(n => n.Address).ToList(), loaded);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            await load.RunAsync(workers, stop.Token);
            var counted = load.Exchanges.Where(e => e.Sent >= TimeSpan.FromSeconds(seconds / 5.0)).ToList();
            var span = counted.Max(e => e.Answered) - counted.Min(e => e.Sent);
            var latencies = counted.Select(e => (e.Answered - e.Sent).TotalMilliseconds).Order().ToArray();
            lines.Add(FormattableString.Invariant(
                $"| {nodes} | {counted.Count / span.TotalSeconds:N0} | {Percentile(latencies, 0.50):0.0} | {Percentile(latencies, 0.95):0.0} | {Percentile(latencies, 0.99):0.0} | {counted.Count(e => e.Failed)} |"));
            Assert.Empty(load.Leaks);
            Assert.DoesNotContain(load.Exchanges, e => e.Failed);
        }

        await deployment.LimitAsync(limited.Tenant, requestsPerMinute: 60, burstSeconds: 5);
        var run = await KillAndMove.RunAsync(deployment, loaded, limited, moved, Tier.Schema, workers, output.WriteLine);
        lines.AddRange(["", "Kill and move run (3 nodes, node 1 killed with SIGKILL and restarted, one tenant moved pooled → schema):", "", .. run.Summary().Split('\n').Select(l => "    " + l)]);
        lines.Add($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        Assert.Empty(run.Load.Leaks);

        var report = string.Join('\n', lines) + "\n";
        output.WriteLine(report);
        var directory = Environment.GetEnvironmentVariable("BULKHEAD_BENCH_RESULTS") is { Length: > 0 } d ? d : Path.Combine(RepositoryRoot.Path, "bench", "results");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "scale.md"), report);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
