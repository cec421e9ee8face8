using System.Diagnostics;
using Bulkhead.Limits;

namespace Bulkhead.Tests.Limits;

/// <summary>The Lua GCRA against the run's real Redis.</summary>
public sealed class RedisGcraTests
{
    private static RedisGcra Limiter => new(TestRedis.Shared);

    [Fact]
    public async Task a_hundred_concurrent_requests_admit_exactly_the_burst()
    {
        var rule = SlowRule(RateLimitKeys.Tenant(Guid.CreateVersion7()), burst: 10);
        var clock = Stopwatch.StartNew();

        var decisions = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Limiter.CheckAsync([rule], default).AsTask()));

        // One more request becomes due every 10 s; a run that slow may admit it.
        var due = 10 + (int)(clock.Elapsed.TotalSeconds / 10);
        var admitted = decisions.Count(d => d.Allowed);
        Assert.InRange(admitted, 10, due);
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.True(d.RetryAfter > TimeSpan.Zero));
    }

    [Fact]
    public async Task the_tenant_and_user_keys_are_decided_all_or_nothing()
    {
        var tenant = Guid.CreateVersion7();
        var tenantRule = SlowRule(RateLimitKeys.Tenant(tenant), burst: 5);
        var userRule = SlowRule(RateLimitKeys.User(tenant, "alice"), burst: 1);

        var first = await Limiter.CheckAsync([tenantRule, userRule], default);
        var second = await Limiter.CheckAsync([tenantRule, userRule], default);
        var tenantOnly = await Limiter.CheckAsync([tenantRule], default);

        Assert.True(first.Allowed);
        Assert.False(second.Allowed);
        Assert.Equal(1, second.ViolatedRule);
        // The refused request took nothing from the tenant: 5 - first - this one.
        Assert.Equal(3, tenantOnly.Rules[0].Remaining);
    }

    [Fact]
    public async Task tenant_a_exhausting_its_limit_never_rejects_tenant_b()
    {
        var a = SlowRule(RateLimitKeys.Tenant(Guid.CreateVersion7()), burst: 3);
        var b = SlowRule(RateLimitKeys.Tenant(Guid.CreateVersion7()), burst: 3);

        var flood = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Limiter.CheckAsync([a], default).AsTask()));
        var others = new List<GcraDecision>();
        for (var i = 0; i < 3; i++)
        {
            others.Add(await Limiter.CheckAsync([b], default));
        }

        Assert.Contains(flood, d => !d.Allowed);
        Assert.All(others, d => Assert.True(d.Allowed));
    }

    [Fact]
    public void a_users_keys_live_in_their_tenants_cluster_slot_whatever_the_sub()
    {
        var tenant = Guid.CreateVersion7();

        Assert.Equal(Slot(RateLimitKeys.Tenant(tenant)), Slot(RateLimitKeys.User(tenant, "{evil}sub")));
        Assert.Equal(Slot(RateLimitKeys.Tenant(tenant)), Slot(RateLimitKeys.User(tenant, "plain")));
    }

    private static int Slot(string key) => TestRedis.Shared.HashSlot(key);

    // A rate of one request per 10 s: within a test, only the burst counts.
    private static GcraRule SlowRule(string key, int burst) => new(key, 10_000_000, 10_000_000L * burst);
}
