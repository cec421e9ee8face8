using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Bulkhead.Bench.Scale.Micro;

/// <summary>
/// BenchmarkDotNet over the functions every request runs: cursor sealing, token validation and the
/// limiter's in-process path. In process and with few iterations, so the set takes a minute or two.
/// </summary>
public static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(5).WithLaunchCount(1);
        var results = Environment.GetEnvironmentVariable("BULKHEAD_BENCH_RESULTS") is { Length: > 0 } d ? Path.Combine(d, "micro") : Path.Combine("bench", "results", "micro");
        var config = DefaultConfig.Instance.AddJob(job).WithArtifactsPath(results).WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
        var summaries = BenchmarkSwitcher.FromTypes([typeof(CursorBenchmarks), typeof(TokenBenchmarks), typeof(LimiterBenchmarks)])
            .Run(args.Length == 0 ? ["--filter", "*"] : args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
