namespace Bulkhead.Bench.Scale;

/// <summary>Latency percentiles of one measured series, in milliseconds.</summary>
public sealed record Latency(long Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static Latency Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.ToArray();
        Array.Sort(sorted);
        return new Latency(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted.Length == 0 ? double.NaN : sorted[^1]);
    }

    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
