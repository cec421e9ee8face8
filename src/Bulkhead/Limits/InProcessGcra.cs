namespace Bulkhead.Limits;

/// <summary>
/// GCRA in this process: the algorithm of <see cref="RedisGcra"/>, on a dictionary of theoretical
/// arrival times under one lock (a decision takes well under a microsecond). For one instance, or
/// for the fallback while Redis does not answer.
/// </summary>
public sealed class InProcessGcra(TimeProvider time) : IGcraLimiter
{
    private const int SweepEvery = 4096;

    private readonly Dictionary<string, long> _tats = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _decisions;

    public ValueTask<GcraDecision> CheckAsync(IReadOnlyList<GcraRule> rules, CancellationToken ct) => ValueTask.FromResult(Check(rules));

    public GcraDecision Check(IReadOnlyList<GcraRule> rules)
    {
        if (rules.Count == 0)
        {
            return GcraDecision.Unlimited;
        }

        var now = time.GetUtcNow().UtcTicks / 10;
        var tats = new long[rules.Count];
        lock (_lock)
        {
            var violated = -1;
            var retry = 0L;
            for (var i = 0; i < rules.Count; i++)
            {
                var tat = Math.Max(_tats.GetValueOrDefault(rules[i].Key, now), now);
                tats[i] = tat;
                var allowAt = tat + rules[i].IntervalMicros - rules[i].ToleranceMicros;
                if (allowAt > now && allowAt - now > retry)
                {
                    violated = i;
                    retry = allowAt - now;
                }
            }

            var states = new GcraRuleState[rules.Count];
            for (var i = 0; i < rules.Count; i++)
            {
                if (violated < 0)
                {
                    tats[i] += rules[i].IntervalMicros;
                    _tats[rules[i].Key] = tats[i];
                }

                states[i] = State(rules[i], tats[i], now);
            }

            if (++_decisions % SweepEvery == 0)
            {
                Sweep(now);
            }

            return new GcraDecision(violated < 0, violated, TimeSpan.FromMicroseconds(retry), states);
        }
    }

    internal static GcraRuleState State(GcraRule rule, long tat, long now) => new(
        Math.Max(0, (rule.ToleranceMicros - (tat - now)) / rule.IntervalMicros),
        TimeSpan.FromMicroseconds(Math.Max(0, tat - now)));

    // A key whose TAT has passed holds no state: forgetting it changes no decision.
    private void Sweep(long now)
    {
        foreach (var (key, tat) in _tats)
        {
            if (tat <= now)
            {
                _tats.Remove(key);
            }
        }
    }
}
