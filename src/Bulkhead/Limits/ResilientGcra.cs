using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Bulkhead.Limits;

/// <summary>
/// The request limiter the server uses: Redis (through <see cref="LeasedGcra"/>) while it answers within
/// <see cref="LimitsOptions.RedisTimeout"/>; otherwise what <see cref="LimitsOptions.RedisFailureMode"/>
/// says (by default the in-process GCRA at limit / <see cref="LimitsOptions.InstanceCount"/>), and a
/// probe every <see cref="LimitsOptions.RedisProbeInterval"/> that switches back once Redis answers.
/// Without Redis configured it is the in-process GCRA alone.
/// </summary>
public sealed class ResilientGcra : IGcraLimiter, IDisposable
{
    private readonly IConnectionMultiplexer? _redis;
    private readonly LeasedGcra? _shared;
    private readonly InProcessGcra _local;
    private readonly LimitsOptions _options;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private const int SlowAnswersBeforeFallback = 3;

    private int _redisDown;
    private int _slowInARow;

    public ResilientGcra(IConnectionMultiplexer? redis, LimitsOptions options, TimeProvider time, ILogger<ResilientGcra> log)
    {
        _redis = redis;
        _shared = redis is null ? null : new LeasedGcra(new RedisGcra(redis), options, time);
        _local = new InProcessGcra(time);
        _options = options;
        _log = log;
    }

    /// <summary>True while decisions are made in Redis.</summary>
    public bool UsingRedis => _shared is not null && Volatile.Read(ref _redisDown) == 0;

    public async ValueTask<GcraDecision> CheckAsync(IReadOnlyList<GcraRule> rules, CancellationToken ct)
    {
        if (_shared is null)
        {
            return _local.Check(rules);
        }

        if (Volatile.Read(ref _redisDown) == 0)
        {
            try
            {
                var decision = await _shared.CheckAsync(rules, ct).AsTask().WaitAsync(_options.RedisTimeout, ct);
                Volatile.Write(ref _slowInARow, 0);
                return decision;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // A lost connection switches at once; a slow answer only after several in a row, so that
                // one hiccup decides one request locally instead of all of them for a probe interval.
                if (e is not TimeoutException || Interlocked.Increment(ref _slowInARow) >= SlowAnswersBeforeFallback)
                {
                    MarkDown(e);
                }
            }
        }

        return _options.RedisFailureMode switch
        {
            RedisFailureMode.FailOpen => GcraDecision.Unlimited,
            RedisFailureMode.FailClosed => throw new LimiterUnavailableException(),
            _ => _local.Check(Shared(rules)),
        };
    }

    // Disposed once per DI registration that resolves it; cancelling twice is harmless, disposing the source twice is not.
    public void Dispose() => _stopping.Cancel();

    private GcraRule[] Shared(IReadOnlyList<GcraRule> rules)
    {
        var shares = new GcraRule[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            shares[i] = rules[i].Share(_options.InstanceCount);
        }

        return shares;
    }

    private void MarkDown(Exception cause)
    {
        if (Interlocked.Exchange(ref _redisDown, 1) == 1)
        {
            return;
        }

        _log.LogError("Redis did not answer the rate limiter ({Reason}); deciding with {Mode} until it does",
            cause.GetType().Name + ": " + cause.Message, _options.RedisFailureMode);
        _ = ProbeAsync(_stopping.Token);
    }

    private async Task ProbeAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_options.RedisProbeInterval, ct);
                try
                {
                    await _redis!.GetDatabase().PingAsync().WaitAsync(_options.RedisTimeout, ct);
                    Volatile.Write(ref _slowInARow, 0);
                    Volatile.Write(ref _redisDown, 0);
                    _log.LogWarning("Redis answers again; the rate limiter decides in Redis");
                    return;
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // Still down: ask again after the interval.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }
    }
}
