using Bulkhead.Host.Audit;
using Bulkhead.Tests.Limits;
using Microsoft.Extensions.Options;

namespace Bulkhead.Tests.Audit;

/// <summary>How much probe work one principal's 404s may cause, on a clock the test moves.</summary>
public sealed class ProbeBudgetTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private ProbeBudget Budget(int perMinute = 5)
    {
        var options = Options.Create(new AlertOptions { ProbeChecksPerMinute = perMinute, Quiet = TimeSpan.FromMinutes(5) });
        return new ProbeBudget(options, new AlertThrottle(options, _clock), _clock);
    }

    private static ProbeCheck Miss(Guid tenant, string sub) => new(tenant, sub, "conversation", Guid.CreateVersion7());

    [Fact]
    public void every_404_of_an_unlimited_tenant_queued_an_unthrottled_probe_check()
    {
        var budget = Budget(perMinute: 5);
        var (flooder, honest) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        var flood = Enumerable.Range(0, 100).Select(_ => budget.Admit(Miss(flooder, "bot"))).ToList();
        var sameTenantOtherSub = budget.Admit(Miss(flooder, "alice"));
        var otherTenantSameSub = budget.Admit(Miss(honest, "bot"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var nextMinute = budget.Admit(Miss(flooder, "bot"));

        Assert.Equal(5, flood.Count(a => a == ProbeAdmission.Admitted));
        Assert.Equal(95, flood.Count(a => a == ProbeAdmission.OverBudget));
        Assert.Equal(ProbeAdmission.Admitted, sameTenantOtherSub);
        Assert.Equal(ProbeAdmission.Admitted, otherTenantSameSub);
        Assert.Equal(ProbeAdmission.Admitted, nextMinute);
    }

    [Fact]
    public void the_same_principal_missing_the_same_id_again_is_checked_once_per_quiet_period()
    {
        var budget = Budget(perMinute: 100);
        var tenant = Guid.CreateVersion7();
        var miss = Miss(tenant, "bot");

        var first = budget.Admit(miss);
        var again = budget.Admit(miss);
        var byAnotherSub = budget.Admit(miss with { Sub = "alice" });
        _clock.Advance(TimeSpan.FromMinutes(6));
        var afterTheQuietPeriod = budget.Admit(miss);

        Assert.Equal(ProbeAdmission.Admitted, first);
        Assert.Equal(ProbeAdmission.Repeated, again);
        Assert.Equal(ProbeAdmission.Admitted, byAnotherSub);
        Assert.Equal(ProbeAdmission.Admitted, afterTheQuietPeriod);
    }
}
