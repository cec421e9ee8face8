using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Bulkhead.Limits;

/// <summary>
/// GCRA in Redis: one Lua script, sent with EVALSHA, checks every rule's key against Redis' own clock
/// (TIME, so instance clocks do not matter) and writes them only when all admit: one round trip, all or
/// nothing. Keys of one decision share a hash tag, so the script also runs on Redis Cluster.
/// </summary>
public sealed class RedisGcra(IConnectionMultiplexer redis) : IGcraLimiter
{
    // KEYS: one theoretical-arrival-time key per rule. ARGV: interval and tolerance per rule, in µs, then how
    // many requests to admit at most (a lease, see LeasedGcra). Every rule grants the same count, the most
    // that all of them have room for now: admitting k moves each TAT k intervals on, so over any span Redis
    // hands out no more than the rules allow, however those k are spent afterwards.
    // One MGET for every key: about 8 µs of Redis time per two-key decision (INFO commandstats).
    // Returns {violated rule (1-based, 0 = admitted), retry after µs, granted, then remaining and reset µs per rule}.
    internal const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local stored = redis.call('MGET', unpack(KEYS))
        local n = #KEYS
        local granted = tonumber(ARGV[2 * n + 1]) or 1
        local violated = 0
        local retry = 0
        for i = 1, n do
          local tat = tonumber(stored[i]) or now
          if tat < now then tat = now end
          stored[i] = tat
          local interval = tonumber(ARGV[2 * i - 1])
          local room = math.floor((tonumber(ARGV[2 * i]) - (tat - now)) / interval)
          if room < granted then granted = room end
          local allow_at = tat + interval - tonumber(ARGV[2 * i])
          if allow_at > now and allow_at - now > retry then
            violated = i
            retry = allow_at - now
          end
        end
        if granted < 1 then granted = 0 else violated = 0 retry = 0 end
        local out = {violated, retry, granted}
        for i = 1, n do
          local interval = tonumber(ARGV[2 * i - 1])
          local tat = stored[i]
          if granted > 0 then
            tat = tat + granted * interval
            redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
          end
          local remaining = math.floor((tonumber(ARGV[2 * i]) - (tat - now)) / interval)
          if remaining < 0 then remaining = 0 end
          out[2 * i + 2] = remaining
          out[2 * i + 3] = tat - now
        end
        return out
        """;

    private static readonly byte[] Hash = SHA1.HashData(Encoding.UTF8.GetBytes(Script));

    public async ValueTask<GcraDecision> CheckAsync(IReadOnlyList<GcraRule> rules, CancellationToken ct) =>
        (await TakeAsync(rules, 1, ct)).Decision;

    /// <summary>
    /// Admits up to <paramref name="wanted"/> requests against every rule at once, all or nothing per
    /// request: <see cref="GcraGrant.Granted"/> is the most all rules had room for (0 when refused).
    /// </summary>
    public async ValueTask<GcraGrant> TakeAsync(IReadOnlyList<GcraRule> rules, int wanted, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(wanted);
        if (rules.Count == 0)
        {
            return new GcraGrant(wanted, GcraDecision.Unlimited);
        }

        var keys = new RedisKey[rules.Count];
        var args = new RedisValue[(rules.Count * 2) + 1];
        for (var i = 0; i < rules.Count; i++)
        {
            keys[i] = rules[i].Key;
            args[2 * i] = rules[i].IntervalMicros;
            args[(2 * i) + 1] = rules[i].ToleranceMicros;
        }

        args[^1] = wanted;
        var db = redis.GetDatabase();
        RedisResult result;
        try
        {
            result = await db.ScriptEvaluateAsync(Hash, keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // First use on this server (or after a restart): EVAL loads the script for the next EVALSHA.
            result = await db.ScriptEvaluateAsync(Script, keys, args);
        }

        return Parse(result, rules.Count);
    }

    private static GcraGrant Parse(RedisResult result, int count)
    {
        var values = (RedisResult[])result!;
        var violated = (int)values[0] - 1;
        var states = new GcraRuleState[count];
        for (var i = 0; i < count; i++)
        {
            states[i] = new GcraRuleState((long)values[3 + (2 * i)], TimeSpan.FromMicroseconds((long)values[4 + (2 * i)]));
        }

        return new GcraGrant((int)values[2], new GcraDecision(violated < 0, violated, TimeSpan.FromMicroseconds((long)values[1]), states));
    }
}

/// <summary>How many requests one call to <see cref="RedisGcra.TakeAsync"/> admitted, and the rules' state after it.</summary>
public readonly record struct GcraGrant(int Granted, GcraDecision Decision);
