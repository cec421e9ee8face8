using Bulkhead.Limits;

namespace Bulkhead.Tests.Limits;

/// <summary>The algorithm itself, in process, on a clock the test moves.</summary>
public sealed class GcraTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void the_burst_is_admitted_at_once_then_one_request_per_interval()
    {
        var clock = new ManualClock(Start);
        var gcra = new InProcessGcra(clock);
        var rule = GcraRule.PerMinute("k", limit: 60, burstSeconds: 10);

        var admitted = Enumerable.Range(0, 30).Count(_ => gcra.Check([rule]).Allowed);
        Assert.Equal(10, admitted);

        var refused = gcra.Check([rule]);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(gcra.Check([rule]).Allowed);
        Assert.False(gcra.Check([rule]).Allowed);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1_000)]
    public void the_default_burst_is_a_minutes_worth_so_n_per_minute_admits_n_at_once(int limit)
    {
        var clock = new ManualClock(Start);
        var gcra = new InProcessGcra(clock);
        var rule = GcraRule.PerMinute("k", limit, new LimitsOptions().BurstSeconds);

        var admitted = Enumerable.Range(0, limit * 2).Count(_ => gcra.Check([rule]).Allowed);

        Assert.Equal(limit, admitted);
        Assert.Equal(TimeSpan.FromMinutes(1) / limit, gcra.Check([rule]).RetryAfter);
        clock.Advance(TimeSpan.FromMinutes(1) / limit);
        Assert.True(gcra.Check([rule]).Allowed);
    }

    [Theory]
    [InlineData(60_000_001)]
    [InlineData(int.MaxValue)]
    public void a_rate_beyond_one_per_microsecond_is_a_valid_rule_not_a_division_by_zero(int limit)
    {
        var rule = GcraRule.PerMinute("k", limit, burstSeconds: 10);

        Assert.Equal(1, rule.IntervalMicros);
        Assert.True(rule.Burst >= 1);
        Assert.True(new InProcessGcra(new ManualClock(Start)).Check([rule]).Allowed);
    }

    [Fact]
    public void no_sixty_second_window_admits_more_than_the_limit_plus_the_burst()
    {
        var clock = new ManualClock(Start);
        var gcra = new InProcessGcra(clock);
        var rule = GcraRule.PerMinute("k", limit: 100, burstSeconds: 10);
        var admittedAt = new List<TimeSpan>();

        // A client hammering every 50 ms for five minutes, across every window edge there is.
        for (var t = TimeSpan.Zero; t < TimeSpan.FromMinutes(5); t += TimeSpan.FromMilliseconds(50))
        {
            if (gcra.Check([rule]).Allowed)
            {
                admittedAt.Add(t);
            }

            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        var worstWindow = admittedAt.Max(start => admittedAt.Count(t => t >= start && t < start + TimeSpan.FromMinutes(1)));
        Assert.True(worstWindow <= 100 + rule.Burst, $"{worstWindow} admitted in one minute");
        Assert.True(worstWindow >= 100, $"only {worstWindow} admitted in the busiest minute");
    }

    [Fact]
    public void a_request_refused_by_one_rule_counts_against_none()
    {
        var clock = new ManualClock(Start);
        var gcra = new InProcessGcra(clock);
        var tenant = GcraRule.PerMinute("tenant", limit: 600, burstSeconds: 10);
        var user = GcraRule.PerMinute("user", limit: 6, burstSeconds: 10);

        Assert.True(gcra.Check([tenant, user]).Allowed);
        var refused = gcra.Check([tenant, user]);

        Assert.False(refused.Allowed);
        Assert.Equal(1, refused.ViolatedRule);
        // The tenant rule saw one admitted request before this one, not two.
        Assert.Equal(tenant.Burst - 2, gcra.Check([tenant]).Rules[0].Remaining);
    }

    [Fact]
    public void a_rule_shared_by_two_instances_admits_half_the_rate()
    {
        var rule = GcraRule.PerMinute("k", limit: 120, burstSeconds: 10).Share(2);
        var gcra = new InProcessGcra(new ManualClock(Start));

        var admitted = Enumerable.Range(0, 100).Count(_ => gcra.Check([rule]).Allowed);

        Assert.Equal(10, admitted);
        Assert.Equal(1_000_000, rule.IntervalMicros);
    }
}
