using System.Diagnostics;
using Bulkhead.Limits;
using StackExchange.Redis;

namespace Bulkhead.Tests.Limits;

/// <summary>
/// Leases against a Redis of the test's own, so that its command counts are the limiter's alone: a busy
/// key asks Redis once per lease, a refusal is remembered, and instances together never admit more than
/// the rule.
/// </summary>
public sealed class LeasedGcraTests : IAsyncLifetime
{
    private PrivateRedis _redis = null!;
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync()
    {
        _redis = await PrivateRedis.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint + ",allowAdmin=true");
        // Loads the script (a NOSCRIPT answer and an EVAL), so that every later decision is one EVALSHA.
        await new RedisGcra(_connection).CheckAsync([new GcraRule("warm-up", 1, 1)], default);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task a_busy_key_asks_redis_once_per_lease_not_once_per_request()
    {
        var limiter = Limiter();
        // A burst of 100,000 and one more every 10 s: nothing here comes near the limit, and the count stays exact.
        var rule = new GcraRule(RateLimitKeys.Tenant(Guid.CreateVersion7()), 10_000_000, 1_000_000_000_000);
        var before = await ScriptCallsAsync();
        var clock = Stopwatch.StartNew();

        var decisions = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var admitted = 0;
            for (var i = 0; i < 250; i++)
            {
                admitted += (await limiter.CheckAsync([rule], default)).Allowed ? 1 : 0;
            }

            return admitted;
        }));

        var calls = await ScriptCallsAsync() - before;
        Assert.Equal(2000, decisions.Sum());
        Assert.InRange(calls, 1, 2000 / 8);
        // Redis counted at least every admission made here: the leases were taken from the rule itself.
        var after = await new RedisGcra(_connection).CheckAsync([rule], default);
        Assert.InRange(after.Rules[0].Remaining, 0, 100_000 - 2000 - 1 + (int)(clock.Elapsed.TotalSeconds / 10));
    }

    [Fact]
    public async Task two_instances_flooding_one_key_admit_the_burst_and_no_more()
    {
        // One request due every 10 s, a burst of 50: within the test only the burst counts.
        var rule = new GcraRule(RateLimitKeys.Tenant(Guid.CreateVersion7()), 10_000_000, 500_000_000);
        var instances = new[] { Limiter(), Limiter() };
        var clock = Stopwatch.StartNew();

        var decisions = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => instances[i % 2].CheckAsync([rule], default).AsTask()));

        var due = 50 + (int)(clock.Elapsed.TotalSeconds / 10);
        Assert.InRange(decisions.Count(d => d.Allowed), 50, due);
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.True(d.RetryAfter > TimeSpan.Zero));
    }

    [Fact]
    public async Task a_refusal_is_remembered_until_its_retry_after()
    {
        var limiter = Limiter();
        var rule = new GcraRule(RateLimitKeys.Tenant(Guid.CreateVersion7()), 10_000_000, 20_000_000);
        Assert.True((await limiter.CheckAsync([rule], default)).Allowed);
        Assert.True((await limiter.CheckAsync([rule], default)).Allowed);
        var before = await ScriptCallsAsync();

        var refused = new List<GcraDecision>();
        for (var i = 0; i < 50; i++)
        {
            refused.Add(await limiter.CheckAsync([rule], default));
        }

        Assert.All(refused, d => Assert.False(d.Allowed));
        Assert.All(refused, d => Assert.InRange(d.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(10)));
        Assert.Equal(1, await ScriptCallsAsync() - before);
    }

    [Fact]
    public async Task the_tenant_and_user_keys_still_decide_all_or_nothing()
    {
        var limiter = Limiter();
        var tenant = Guid.CreateVersion7();
        var tenantRule = new GcraRule(RateLimitKeys.Tenant(tenant), 10_000_000, 50_000_000);
        var userRule = new GcraRule(RateLimitKeys.User(tenant, "alice"), 10_000_000, 10_000_000);

        var first = await limiter.CheckAsync([tenantRule, userRule], default);
        var second = await limiter.CheckAsync([tenantRule, userRule], default);
        var tenantOnly = await new RedisGcra(_connection).CheckAsync([tenantRule], default);

        Assert.True(first.Allowed);
        Assert.False(second.Allowed);
        Assert.Equal(1, second.ViolatedRule);
        // The refused request took nothing from the tenant: 5 - first - this one.
        Assert.Equal(3, tenantOnly.Rules[0].Remaining);
    }

    [Fact]
    public async Task lease_max_of_one_asks_redis_for_every_request()
    {
        var limiter = Limiter(leaseMax: 1);
        var rule = GcraRule.PerMinute(RateLimitKeys.Tenant(Guid.CreateVersion7()), 60_000, 60);
        var before = await ScriptCallsAsync();

        for (var i = 0; i < 20; i++)
        {
            Assert.True((await limiter.CheckAsync([rule], default)).Allowed);
        }

        Assert.Equal(20, await ScriptCallsAsync() - before);
    }

    private LeasedGcra Limiter(int leaseMax = 64) =>
        new(new RedisGcra(_connection), new LimitsOptions { LeaseMax = leaseMax, LeaseLifetime = TimeSpan.FromSeconds(5) }, TimeProvider.System);

    // EVALSHA and EVAL calls so far, from Redis' own command statistics.
    private async Task<long> ScriptCallsAsync()
    {
        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var stats = (await server.InfoAsync("commandstats")).SelectMany(g => g).ToList();
        return stats.Where(s => s.Key is "cmdstat_evalsha" or "cmdstat_eval").Sum(s => long.Parse(s.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
