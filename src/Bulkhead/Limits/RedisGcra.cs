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
    // KEYS: one theoretical-arrival-time key per rule. ARGV: interval and tolerance per rule, in µs.
    // One MGET for every key: about 8 µs of Redis time per two-key decision (INFO commandstats).
    // Returns {violated rule (1-based, 0 = admitted), retry after µs, then remaining and reset µs per rule}.
    internal const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local stored = redis.call('MGET', unpack(KEYS))
        local n = #KEYS
        local violated = 0
        local retry = 0
        for i = 1, n do
          local tat = tonumber(stored[i]) or now
          if tat < now then tat = now end
          stored[i] = tat
          local allow_at = tat + tonumber(ARGV[2 * i - 1]) - tonumber(ARGV[2 * i])
          if allow_at > now and allow_at - now > retry then
            violated = i
            retry = allow_at - now
          end
        end
        local out = {violated, retry}
        for i = 1, n do
          local interval = tonumber(ARGV[2 * i - 1])
          local tat = stored[i]
          if violated == 0 then
            tat = tat + interval
            redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
          end
          local remaining = math.floor((tonumber(ARGV[2 * i]) - (tat - now)) / interval)
          if remaining < 0 then remaining = 0 end
          out[2 * i + 1] = remaining
          out[2 * i + 2] = tat - now
        end
        return out
        """;

    private static readonly byte[] Hash = SHA1.HashData(Encoding.UTF8.GetBytes(Script));

    public async ValueTask<GcraDecision> CheckAsync(IReadOnlyList<GcraRule> rules, CancellationToken ct)
    {
        if (rules.Count == 0)
        {
            return GcraDecision.Unlimited;
        }

        var keys = new RedisKey[rules.Count];
        var args = new RedisValue[rules.Count * 2];
        for (var i = 0; i < rules.Count; i++)
        {
            keys[i] = rules[i].Key;
            args[2 * i] = rules[i].IntervalMicros;
            args[(2 * i) + 1] = rules[i].ToleranceMicros;
        }

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

    private static GcraDecision Parse(RedisResult result, int count)
    {
        var values = (RedisResult[])result!;
        var violated = (int)values[0] - 1;
        var states = new GcraRuleState[count];
        for (var i = 0; i < count; i++)
        {
            states[i] = new GcraRuleState((long)values[2 + (2 * i)], TimeSpan.FromMicroseconds((long)values[3 + (2 * i)]));
        }

        return new GcraDecision(violated < 0, violated, TimeSpan.FromMicroseconds((long)values[1]), states);
    }
}
