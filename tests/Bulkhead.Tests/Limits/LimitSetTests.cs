using Bulkhead.Limits;

namespace Bulkhead.Tests.Limits;

/// <summary>Plan resolution on its own: overrides over the plan over the configured default burst, and what an override may say.</summary>
public sealed class LimitSetTests
{
    private static readonly LimitSet Basic = new(100, 10, 1_000_000, 2, null);

    private static readonly LimitSet DefaultBurst = LimitSet.None with { BurstSeconds = 30 };

    [Fact]
    public void a_plans_own_burst_wins_over_the_default_and_a_plan_without_one_inherits_it()
    {
        Assert.Equal(10, LimitSet.None.Over(Basic with { BurstSeconds = 10 }).Over(DefaultBurst).BurstSeconds);
        Assert.Equal(30, LimitSet.None.Over(Basic).Over(DefaultBurst).BurstSeconds);
    }

    [Fact]
    public void an_override_wins_over_the_plan_and_a_null_override_inherits_it()
    {
        var effective = (LimitSet.None with { MonthlyTokens = 5, BurstSeconds = 20 }).Over(Basic).Over(DefaultBurst);

        Assert.Equal(new LimitSet(100, 10, 5, 2, 20), effective);
    }

    [Fact]
    public void an_unlimited_plan_stays_unlimited_unless_an_override_names_a_number()
    {
        var enterprise = new LimitSet(null, 10, null, 32, null);

        Assert.Null(LimitSet.None.Over(enterprise).RequestsPerMinute);
        Assert.Equal(7, (LimitSet.None with { RequestsPerMinute = 7 }).Over(enterprise).RequestsPerMinute);
    }

    [Theory]
    [InlineData(0, null, null, "requests_per_minute")]
    [InlineData(null, -1L, null, "monthly_tokens")]
    [InlineData(null, null, 0, "burst_seconds")]
    [InlineData(null, null, 3601, "burst_seconds")]
    public void an_override_that_is_not_a_positive_number_or_a_burst_beyond_an_hour_names_its_field(int? rate, long? tokens, int? burst, string field)
    {
        var problem = new LimitSet(rate, null, tokens, null, burst).FirstOverrideProblem();

        Assert.Equal(field, problem?.Field);
        Assert.EndsWith("or null to inherit the plan", problem?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void overrides_of_positive_numbers_and_a_burst_within_an_hour_are_valid()
    {
        Assert.Null(new LimitSet(1, 1, 1, 1, 3600).FirstOverrideProblem());
        Assert.Null(LimitSet.None.FirstOverrideProblem());
    }
}
