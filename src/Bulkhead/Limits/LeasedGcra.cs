using System.Collections.Concurrent;

namespace Bulkhead.Limits;

/// <summary>
/// Redis' GCRA, asked once per lease instead of once per request. A busy key (one tenant, or one tenant and
/// user for chat) takes several admissions from Redis in one call and spends them here; a quiet key asks
/// for one at a time, exactly as before. The bound stays the shared one: every request admitted on any
/// instance spends an admission Redis handed out, and Redis hands out no more than the rules allow, so over
/// a span W all instances together admit at most burst + W / interval (plus what was leased in the
/// <see cref="LimitsOptions.LeaseLifetime"/> before it). What a lease does not spend in its lifetime is
/// dropped, not returned.
/// <para>
/// The size of the next lease follows demand: twice the last one when that ran out within its lifetime,
/// what it spent when it did not, never more than <see cref="LimitsOptions.LeaseMax"/> and never more than a
/// quarter of what Redis said was left, so that a key near its limit goes back to one admission per
/// request and instances share the last of a burst fairly. A refusal is remembered until its Retry-After,
/// so a flood of refused requests costs Redis one call per refusal window, not one per request.
/// </para>
/// </summary>
public sealed class LeasedGcra(RedisGcra redis, LimitsOptions options, TimeProvider time) : IGcraLimiter
{
    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private int _refills;

    public async ValueTask<GcraDecision> CheckAsync(IReadOnlyList<GcraRule> rules, CancellationToken ct)
    {
        if (rules.Count == 0)
        {
            return GcraDecision.Unlimited;
        }

        if (options.LeaseMax <= 1)
        {
            return await redis.CheckAsync(rules, ct);
        }

        // Keyed by the rules' values too: a changed limit starts a lease of its own at the next request.
        var lease = _leases.GetOrAdd(string.Join('\n', rules.Select(r => $"{r.Key} {r.IntervalMicros} {r.ToleranceMicros}")), _ => new Lease());
        while (true)
        {
            Task refill;
            lock (lease)
            {
                var now = time.GetTimestamp();
                if (lease.TryTake(now, time, out var decision))
                {
                    return decision;
                }

                refill = lease.Refilling ??= RefillAsync(lease, rules, lease.NextSize(now, options));
            }

            // Each waiter gives up on its own; the refill itself belongs to no one request.
            await refill.WaitAsync(ct);
            if (Interlocked.Increment(ref _refills) % SweepEvery == 0)
            {
                Sweep();
            }
        }
    }

    private async Task RefillAsync(Lease lease, IReadOnlyList<GcraRule> rules, int wanted)
    {
        // Off the caller's lock and stack: the lease's waiters await this task.
        await Task.Yield();
        try
        {
            var grant = await redis.TakeAsync(rules, wanted, CancellationToken.None);
            lock (lease)
            {
                lease.Fill(grant, wanted, time.GetTimestamp(), options.LeaseLifetime, time);
            }
        }
        finally
        {
            lock (lease)
            {
                lease.Refilling = null;
            }
        }
    }

    // A lease that has run out and whose refusal has passed holds nothing a new one would not ask again for.
    private void Sweep()
    {
        var now = time.GetTimestamp();
        foreach (var (key, lease) in _leases)
        {
            lock (lease)
            {
                if (lease.Idle(now, time))
                {
                    _leases.TryRemove(key, out _);
                }
            }
        }
    }

    private sealed class Lease
    {
        private int _left;
        private long _expires;
        private long _refusedUntil;
        private GcraDecision? _last;
        private long _lastAt;
        private int _size;
        private int _spent;

        public Task? Refilling { get; set; }

        public bool TryTake(long now, TimeProvider time, out GcraDecision decision)
        {
            decision = null!;
            if (_last is not { } last)
            {
                return false;
            }

            if (now < _refusedUntil)
            {
                decision = last with { RetryAfter = time.GetElapsedTime(now, _refusedUntil) };
                return true;
            }

            if (_left <= 0 || now >= _expires)
            {
                return false;
            }

            _left--;
            _spent++;
            decision = new GcraDecision(true, -1, TimeSpan.Zero, Aged(last.Rules, time.GetElapsedTime(_lastAt, now), _left));
            return true;
        }

        public int NextSize(long now, LimitsOptions options)
        {
            if (_last is null)
            {
                return 1;
            }

            var ranOut = _left <= 0 && now < _expires;
            var size = ranOut ? _size * 2 : Math.Max(1, _spent);
            var left = _last.Rules.Min(r => r.Remaining) + _left;
            return (int)Math.Clamp(Math.Min(size, left / 4), 1, options.LeaseMax);
        }

        public void Fill(GcraGrant grant, int wanted, long now, TimeSpan lifetime, TimeProvider time)
        {
            _last = grant.Decision;
            _lastAt = now;
            if (grant.Granted == 0)
            {
                _refusedUntil = now + (long)(grant.Decision.RetryAfter.TotalSeconds * time.TimestampFrequency);
                return;
            }

            // A refill starts only when the lease is spent or expired: what an expired one held is dropped.
            _left = grant.Granted;
            _expires = now + (long)(lifetime.TotalSeconds * time.TimestampFrequency);
            _size = wanted;
            _spent = 0;
        }

        public bool Idle(long now, TimeProvider time) =>
            Refilling is null && now >= _refusedUntil && (_left <= 0 || now >= _expires) && time.GetElapsedTime(_lastAt, now) > TimeSpan.FromMinutes(1);

        private static GcraRuleState[] Aged(IReadOnlyList<GcraRuleState> rules, TimeSpan elapsed, int held)
        {
            var states = new GcraRuleState[rules.Count];
            for (var i = 0; i < rules.Count; i++)
            {
                var reset = rules[i].ResetAfter - elapsed;
                states[i] = new GcraRuleState(rules[i].Remaining + held, reset > TimeSpan.Zero ? reset : TimeSpan.Zero);
            }

            return states;
        }
    }
}
