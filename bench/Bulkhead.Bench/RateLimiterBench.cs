using System.Threading.RateLimiting;
using Bulkhead.Limits;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Bulkhead.Bench;

/// <summary>
/// The rate-limiter benchmark: Bulkhead's Redis GCRA (tenant and user key in one decision, and tenant
/// key alone) against the RedisRateLimiting package's token bucket, on the same Redis in the same run.
/// Entry point for <c>./bulkhead bench</c>: <see cref="RunAsync"/>.
/// </summary>
public static class RateLimiterBench
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter log, CancellationToken ct)
    {
        await using var privateRedis = options.Redis is null ? await BenchRedis.StartAsync(ct) : null;
        var endpoint = options.Redis ?? privateRedis!.Endpoint;
        log.WriteLine($"Redis {endpoint}; {options.Duration.TotalSeconds:0.#} s per phase; throughput at {options.Concurrency} in flight, latency at {options.LatencyConcurrency}; {options.Tenants} tenants x 10 users");
        // Admin: the benchmark resets and reads Redis' command statistics around each phase.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(endpoint + ",allowAdmin=true");
        var server = redis.GetServers()[0];

        var gcra = new RedisGcra(redis);
        var tenants = Enumerable.Range(0, options.Tenants).Select(_ => Guid.CreateVersion7()).ToArray();
        // Generous rates: the benchmark measures the decision, so nearly every request is admitted (and written).
        var tenantRules = tenants.Select(t => GcraRule.PerMinute(RateLimitKeys.Tenant(t), 60_000, 10)).ToArray();
        var userRules = tenants.SelectMany(t => Enumerable.Range(0, 10).Select(u => GcraRule.PerMinute(RateLimitKeys.User(t, $"user{u}"), 6_000, 10))).ToArray();

        var reference = tenants.Select(t => new RedisTokenBucketRateLimiter<string>($"ref:{t:N}", new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            TokenLimit = 1_000_000,
            TokensPerPeriod = 100_000,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        })).ToArray();

        var contenders = new (string Name, int Keys, Func<long, ValueTask<bool>> Decide)[]
        {
            ("Bulkhead GCRA, tenant + user key", 2, async i =>
            {
                var tenant = (int)(i % tenants.Length);
                var user = (tenant * 10) + (int)(i / tenants.Length % 10);
                return (await gcra.CheckAsync([tenantRules[tenant], userRules[user]], ct)).Allowed;
            }),
            ("Bulkhead GCRA, tenant key", 1, async i => (await gcra.CheckAsync([tenantRules[i % tenants.Length]], ct)).Allowed),
            ("RedisRateLimiting 1.2.1 token bucket", 1, async i =>
            {
                using var lease = await reference[i % reference.Length].AcquireAsync(1, ct);
                return lease.IsAcquired;
            }),
        };

        // Prime every limiter once before any round: the first keys written grow Redis' keyspace and
        // would otherwise be charged to whichever limiter happens to run first.
        foreach (var (_, _, decide) in contenders)
        {
            await DecisionDriver.RunAsync(decide, options.Concurrency, options.Warmup, ct);
        }

        var results = new List<BenchResult>();
        // Interleaved rounds: a burst of load from elsewhere on the machine hits every limiter alike.
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (name, keys, decide) in contenders)
            {
                // Warm-up: tiered JIT and the thread pool settle before anything is measured.
                await DecisionDriver.RunAsync(decide, options.Concurrency, options.Warmup, ct);
                await server.ConfigResetStatisticsAsync();
                var throughput = await DecisionDriver.RunAsync(decide, options.Concurrency, options.Duration, ct);
                var redisMicros = await ScriptMicrosAsync(server) / Math.Max(1, throughput.Decisions);
                var latency = await DecisionDriver.RunAsync(decide, options.LatencyConcurrency, options.Duration, ct);
                var result = new BenchResult(
                    name,
                    keys,
                    throughput.Decisions / options.Duration.TotalSeconds,
                    DecisionDriver.Percentile(latency.LatenciesMs, 0.50),
                    DecisionDriver.Percentile(latency.LatenciesMs, 0.99),
                    (double)throughput.Admitted / Math.Max(1, throughput.Decisions),
                    redisMicros);
                results.Add(result);
                log.WriteLine($"  round {round}, {name}: {result.DecisionsPerSecond:N0}/s, p50 {result.P50Ms:0.000} ms, p99 {result.P99Ms:0.000} ms, Redis {result.RedisMicrosPerDecision:0.0} µs/decision");
            }
        }

        foreach (var limiter in reference)
        {
            await limiter.DisposeAsync();
        }

        return results;
    }

    // Redis' own time in scripts (EVAL and EVALSHA) since the last reset: what a decision costs the
    // shared Redis, whatever else runs on the machine.
    private static async Task<double> ScriptMicrosAsync(IServer server)
    {
        var total = 0.0;
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var (key, value) in group)
            {
                if (key is "cmdstat_eval" or "cmdstat_evalsha")
                {
                    var usec = value.Split(',').First(f => f.StartsWith("usec=", StringComparison.Ordinal))["usec=".Length..];
                    total += double.Parse(usec, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        return total;
    }

    public static string Markdown(IReadOnlyList<BenchResult> results)
    {
        var lines = new List<string>
        {
            "| limiter | keys per decision | decisions/s | p50 ms | p99 ms | Redis µs per decision |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        };
        lines.AddRange(results.Select(r => FormattableString.Invariant(
            $"| {r.Limiter} | {r.KeysPerDecision} | {r.DecisionsPerSecond:N0} | {r.P50Ms:0.000} | {r.P99Ms:0.000} | {r.RedisMicrosPerDecision:0.0} |")));
        return string.Join(Environment.NewLine, lines);
    }
}
