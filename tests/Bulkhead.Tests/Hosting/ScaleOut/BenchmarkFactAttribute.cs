namespace Bulkhead.Tests.Hosting.ScaleOut;

/// <summary>A benchmark that runs in the test harness (it needs the same servers) but only from <c>./bulkhead bench scale</c>.</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public const string SecondsVariable = "BULKHEAD_BENCH_SCALE_SECONDS";

    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(SecondsVariable) is not { Length: > 0 })
        {
            Skip = "a benchmark: run it with ./bulkhead bench scale";
        }
    }
}
