namespace Bulkhead.Bench;

/// <param name="Redis">host:port of the Redis to measure on; null starts a private redis-server for the run.</param>
/// <param name="Duration">How long each limiter is driven in each phase.</param>
/// <param name="Concurrency">Decisions in flight in the throughput phase.</param>
/// <param name="LatencyConcurrency">Decisions in flight in the latency phase (a busy API instance, not a saturated one).</param>
/// <param name="Tenants">Distinct tenants the decisions are spread over (users: ten per tenant).</param>
/// <param name="Warmup">Unmeasured driving of each limiter before its phases.</param>
/// <param name="Rounds">Times every limiter is measured, interleaved; each round is reported.</param>
public sealed record BenchOptions(string? Redis, TimeSpan Duration, int Concurrency, int LatencyConcurrency, int Tenants, TimeSpan Warmup, int Rounds)
{
    public static BenchOptions Default { get; } = new(null, TimeSpan.FromSeconds(10), 128, 8, 1000, TimeSpan.FromSeconds(5), 1);

    public static BenchOptions Parse(string[] args)
    {
        var options = Default;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--redis" => options with { Redis = Next() },
                "--seconds" => options with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)) },
                "--concurrency" => options with { Concurrency = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--latency-concurrency" => options with { LatencyConcurrency = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)) },
                "--rounds" => options with { Rounds = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--tenants" => options with { Tenants = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }
}
