using Bulkhead.Limits;

namespace Bulkhead.Tests.Limits;

/// <summary>The token reservation API the chat feature calls, against the tenant's ledger in PostgreSQL.</summary>
public sealed class TokenQuotaTests(LimitsDatabase db) : IClassFixture<LimitsDatabase>
{
    [Fact]
    public async Task a_reservation_that_does_not_fit_is_refused_with_the_reset_time()
    {
        var tenant = await db.Database.CreateTenantAsync();
        await db.Limits.SetOverridesAsync(tenant.Id, LimitSet.None with { MonthlyTokens = 1000 }, default);
        await db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", 900, default);

        var refused = await Assert.ThrowsAsync<TokenQuotaExceededException>(
            () => db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", 101, default));
        var fits = await db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", 100, default);

        Assert.Equal(1000, refused.MonthlyTokens);
        Assert.Equal(900, refused.UsedTokens);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1), refused.ResetsAt);
        Assert.Equal(100, fits.Tokens);
    }

    [Fact]
    public async Task reconciling_twice_counts_the_real_usage_once()
    {
        var tenant = await db.Database.CreateTenantAsync();
        var reservation = await db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", 4096, default);

        var first = await db.Quota.ReconcileAsync(reservation, 321, default);
        var again = await db.Quota.ReconcileAsync(reservation, 321, default);
        var releasedAfter = await db.Quota.ReleaseAsync(reservation, default);
        var usage = await db.Quota.GetUsageAsync(tenant.Scope, null, default);

        Assert.True(first);
        Assert.False(again);
        Assert.False(releasedAfter);
        Assert.Equal(321, usage.UsedTokens);
        Assert.Equal(0, usage.ReservedTokens);
        Assert.Equal(new ModelUsage("offline", 321, 1), Assert.Single(usage.ByModel));
    }

    [Fact]
    public async Task a_released_reservation_gives_its_tokens_back()
    {
        var tenant = await db.Database.CreateTenantAsync();
        await db.Limits.SetOverridesAsync(tenant.Id, LimitSet.None with { MonthlyTokens = 500 }, default);
        var reservation = await db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", 500, default);

        Assert.True(await db.Quota.ReleaseAsync(reservation, default));
        var again = await db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", 500, default);

        Assert.Equal(500, again.Tokens);
    }

    [Fact]
    public async Task a_call_that_used_more_than_it_reserved_is_counted_in_full()
    {
        var tenant = await db.Database.CreateTenantAsync();
        await db.Limits.SetOverridesAsync(tenant.Id, LimitSet.None with { MonthlyTokens = 1000 }, default);
        var reservation = await db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", 100, default);

        await db.Quota.ReconcileAsync(reservation, 950, default);

        await Assert.ThrowsAsync<TokenQuotaExceededException>(() => db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", 51, default));
        Assert.Equal(50, (await db.Quota.GetUsageAsync(tenant.Scope, null, default)).RemainingTokens);
    }

    [Fact]
    public async Task fifty_concurrent_reservations_never_oversell_the_quota()
    {
        var tenant = await db.Database.CreateTenantAsync();
        await db.Limits.SetOverridesAsync(tenant.Id, LimitSet.None with { MonthlyTokens = 1000 }, default);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            try
            {
                await db.Quota.ReserveAsync(tenant.Scope, $"user{i}", "offline", 100, default);
                return true;
            }
            catch (TokenQuotaExceededException)
            {
                return false;
            }
        }));

        Assert.Equal(10, attempts.Count(a => a));
        Assert.Equal(1000, (await db.Quota.GetUsageAsync(tenant.Scope, null, default)).ReservedTokens);
    }

    [Fact]
    public async Task one_tenants_usage_is_invisible_to_another_and_to_a_session_without_a_tenant()
    {
        var a = await db.Database.CreateTenantAsync();
        var b = await db.Database.CreateTenantAsync();
        var reservation = await db.Quota.ReserveAsync(a.Scope, "user123", "offline", 700, default);
        await db.Quota.ReconcileAsync(reservation, 700, default);

        var seenByB = await db.Quota.GetUsageAsync(b.Scope, null, default);
        var ledgerRowsWithoutContext = await db.Database.ScalarAsync<long>(db.Database.App, "select count(*) from app.token_ledger");
        var monthRowsWithoutContext = await db.Database.ScalarAsync<long>(db.Database.App, "select count(*) from app.token_usage_months");

        Assert.Equal(0, seenByB.UsedTokens);
        Assert.Empty(seenByB.ByModel);
        Assert.Equal(0, ledgerRowsWithoutContext);
        Assert.Equal(0, monthRowsWithoutContext);
    }

    [Fact]
    public async Task a_reconcile_naming_another_tenants_reservation_changes_nothing()
    {
        var a = await db.Database.CreateTenantAsync();
        var b = await db.Database.CreateTenantAsync();
        var reservation = await db.Quota.ReserveAsync(a.Scope, "user123", "offline", 300, default);

        var forged = reservation with { Tenant = b.Scope };
        var settled = await db.Quota.ReconcileAsync(forged, 1, default);

        Assert.False(settled);
        Assert.Equal(300, (await db.Quota.GetUsageAsync(a.Scope, null, default)).ReservedTokens);
    }

    [Fact]
    public async Task an_unlimited_plan_reserves_without_a_ceiling()
    {
        var tenant = await db.Database.CreateTenantAsync(plan: "enterprise");

        var reservation = await db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", int.MaxValue, default);
        var usage = await db.Quota.GetUsageAsync(tenant.Scope, null, default);

        Assert.Equal(int.MaxValue, reservation.Tokens);
        Assert.Null(usage.MonthlyTokens);
        Assert.Null(usage.RemainingTokens);
    }

    [Fact]
    public async Task bad_estimates_are_refused_before_anything_is_written()
    {
        var tenant = await db.Database.CreateTenantAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => db.Quota.ReserveAsync(tenant.Scope, "alice", "offline", -1, default));
        await Assert.ThrowsAsync<ArgumentException>(() => db.Quota.ReserveAsync(tenant.Scope, "", "offline", 1, default));

        Assert.Equal(0, (await db.Quota.GetUsageAsync(tenant.Scope, null, default)).ReservedTokens);
    }
}
