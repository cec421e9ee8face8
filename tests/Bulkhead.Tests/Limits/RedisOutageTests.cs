using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Bulkhead.Limits;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Limits;

/// <summary>A redis-server of the test's own, stopped and started again under load (the run's shared Redis is left alone).</summary>
public sealed class RedisOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PrivateRedis _redis = null!;
    private TestDatabase _database = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _redis = await PrivateRedis.StartAsync();
        _database = await TestDatabase.CreateAsync();
        _server = await RunningServer.StartAsync(_database, LimitsServer.Settings(_redis.Endpoint, instances: 2, redisTimeout: "00:00:00.5"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _database.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task when_redis_stops_under_load_no_request_gets_a_5xx_and_the_limiter_falls_back_then_returns()
    {
        var busy = await _database.CreateTenantAsync();
        var small = await _database.CreateTenantAsync();
        await _server.LimitAsync(busy, requestsPerMinute: 60_000);
        await _server.LimitAsync(small, requestsPerMinute: 60, burstSeconds: 10);
        var limiter = _server.Services.GetRequiredService<ResilientGcra>();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var load = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            using var client = _server.Client(TestKeys.Token(busy.Id, $"client{c}"));
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync("/api/me", CancellationToken.None);
                statuses.Add(response.StatusCode);
            }
        })).ToList();
        await WaitUntilAsync(() => statuses.Count > 50);
        Assert.True(limiter.UsingRedis);

        var stoppedAt = Stopwatch.StartNew();
        await _redis.StopAsync();
        await WaitUntilAsync(() => !limiter.UsingRedis);
        var fellBackAfter = stoppedAt.Elapsed;
        var duringOutage = await SmallTenantBurstAsync(small);

        var restartedAt = Stopwatch.StartNew();
        await _redis.StartAgainAsync();
        await WaitUntilAsync(() => limiter.UsingRedis);
        var returnedAfter = restartedAt.Elapsed;
        await WaitUntilAsync(() => statuses.Count > 50);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        output.WriteLine($"fell back {fellBackAfter.TotalMilliseconds:0} ms after redis-server stopped; back on Redis {returnedAfter.TotalMilliseconds:0} ms after it started; {statuses.Count} requests under load");
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"got {(int)s}"));
        // In process, one instance of two admits half of 60/min: with a 10 s burst, 5 at once instead of 10.
        Assert.InRange(duringOutage.Count(s => s == HttpStatusCode.OK), 1, 6);
        Assert.All(duringOutage, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"got {(int)s}"));
    }

    private async Task<List<HttpStatusCode>> SmallTenantBurstAsync(Bulkhead.Tenancy.Tenant tenant)
    {
        using var client = _server.Client(TestKeys.Token(tenant.Id, "burst"));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/api/me");
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    // A bound on how long the test waits, not an assertion on speed.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        var baseline = condition;
        while (!baseline())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("the condition did not hold within 30 s");
            }

            await Task.Delay(20);
        }
    }
}
