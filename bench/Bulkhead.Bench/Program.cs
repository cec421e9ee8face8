using Bulkhead.Bench;

// dotnet run -c Release --project bench/Bulkhead.Bench -- [--redis HOST:PORT] [--seconds 10] [--concurrency 128]
//                                                        [--latency-concurrency 8] [--tenants 1000] [--warmup 5] [--rounds 1]
// Without --redis it starts a private redis-server on a free loopback port for the run.
try
{
    var options = BenchOptions.Parse(args);
    var results = await RateLimiterBench.RunAsync(options, Console.Out, CancellationToken.None);
    Console.WriteLine();
    Console.WriteLine(RateLimiterBench.Markdown(results));
    return 0;
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"bench: {e.Message}");
    return 2;
}
