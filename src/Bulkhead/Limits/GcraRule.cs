namespace Bulkhead.Limits;

/// <summary>
/// One rate, as GCRA sees it: a request is due every <see cref="IntervalMicros"/>, and may come up to
/// <see cref="ToleranceMicros"/> early (the burst). Over any span W the rule admits at most
/// <see cref="Burst"/> + W / interval requests: no window edge to double up on.
/// </summary>
public readonly record struct GcraRule(string Key, long IntervalMicros, long ToleranceMicros)
{
    public int Burst => (int)(ToleranceMicros / IntervalMicros);

    /// <param name="burstSeconds">The burst, as this many seconds' worth of the rate (at least one request).</param>
    public static GcraRule PerMinute(string key, int limit, int burstSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        // Microsecond resolution: rates above 60,000,000 a minute are held at one request per microsecond.
        var interval = Math.Max(1, 60_000_000L / limit);
        var burst = (int)Math.Clamp(Math.Ceiling((double)limit * burstSeconds / 60.0), 1, int.MaxValue);
        return new GcraRule(key, interval, interval * burst);
    }

    /// <summary>The same rule at 1/<paramref name="share"/> of the rate and burst, for one of that many instances deciding alone.</summary>
    public GcraRule Share(int share) =>
        share <= 1 ? this : this with { IntervalMicros = IntervalMicros * share, ToleranceMicros = Math.Max(IntervalMicros * share, ToleranceMicros) };
}
