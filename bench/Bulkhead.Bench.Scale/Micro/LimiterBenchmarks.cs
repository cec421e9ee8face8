using BenchmarkDotNet.Attributes;
using Bulkhead.Limits;

namespace Bulkhead.Bench.Scale.Micro;

/// <summary>The limiter's local path: the in-process GCRA that runs alone on one instance and as Redis's fallback.</summary>
[MemoryDiagnoser]
public class LimiterBenchmarks
{
    private readonly InProcessGcra _gcra = new(TimeProvider.System);
    private GcraRule[][] _rules = [];
    private int _next;

    // 1M a minute admits every decision here; far higher rates round the interval to 0 µs, which GcraRule does not accept.
    [GlobalSetup]
    public void Setup()
    {
        _rules = Enumerable.Range(0, 1000).Select(_ => Guid.CreateVersion7()).Select(t => new[]
        {
            GcraRule.PerMinute(RateLimitKeys.Tenant(t), 1_000_000, 10),
            GcraRule.PerMinute(RateLimitKeys.User(t, "123"), 1_000_000, 10),
        }).ToArray();
    }

    [Benchmark]
    public bool TenantAndUserKey() => _gcra.Check(_rules[_next++ % _rules.Length]).Allowed;

    [Benchmark]
    public bool TenantKey() => _gcra.Check([_rules[_next++ % _rules.Length][0]]).Allowed;
}
