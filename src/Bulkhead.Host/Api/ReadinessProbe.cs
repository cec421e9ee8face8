using Npgsql;
using StackExchange.Redis;

namespace Bulkhead.Host.Api;

/// <summary>
/// What <c>/readyz</c> reports of PostgreSQL and Redis, checked at most once per <see cref="Freshness"/>
/// however often it is asked (one check in flight, shared by every probe): an anonymous caller flooding
/// the endpoint costs one connection a second, never the tenants' pool.
/// </summary>
public sealed class ReadinessProbe(NpgsqlDataSource database, IServiceProvider services, TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<(string Postgres, string? Redis)>? _current;
    private long _started;

    /// <returns>"ok" or "unreachable" for each; Redis is null when none is configured.</returns>
    public Task<(string Postgres, string? Redis)> CheckAsync()
    {
        lock (_gate)
        {
            if (_current is null || (_current.IsCompleted && time.GetElapsedTime(_started) >= Freshness))
            {
                _started = time.GetTimestamp();
                _current = RunAsync();
            }

            return _current;
        }
    }

    private async Task<(string, string?)> RunAsync()
    {
        var postgres = await PostgresAsync();
        string? redis = null;
        if (services.GetService<IConnectionMultiplexer>() is { } multiplexer)
        {
            try
            {
                await multiplexer.GetDatabase().PingAsync().WaitAsync(HealthApi.CheckTimeout);
                redis = "ok";
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                redis = "unreachable";
            }
        }

        return (postgres, redis);
    }

    private async Task<string> PostgresAsync()
    {
        using var timeout = new CancellationTokenSource(HealthApi.CheckTimeout);
        try
        {
            await using var command = database.CreateCommand("select 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return "ok";
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            return "unreachable";
        }
    }
}
