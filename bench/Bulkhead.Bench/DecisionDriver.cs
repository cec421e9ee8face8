using System.Diagnostics;

namespace Bulkhead.Bench;

/// <summary>Drives one limiter with a fixed number of decisions in flight for a fixed time, timing each decision.</summary>
public static class DecisionDriver
{
    /// <param name="decide">Makes decision number i; returns whether it was admitted.</param>
    public static async Task<(long Decisions, long Admitted, double[] LatenciesMs)> RunAsync(
        Func<long, ValueTask<bool>> decide, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long next = 0;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>(4096);
            long admitted = 0;
            while (Stopwatch.GetTimestamp() < until && !ct.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                if (await decide(Interlocked.Increment(ref next)))
                {
                    admitted++;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return (latencies, admitted);
        }, ct)).ToArray();

        var results = await Task.WhenAll(workers);
        var all = results.SelectMany(r => r.latencies).ToArray();
        Array.Sort(all);
        return (all.Length, results.Sum(r => r.admitted), all);
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
