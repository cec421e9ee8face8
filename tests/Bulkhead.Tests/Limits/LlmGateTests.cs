using Bulkhead.Limits;

namespace Bulkhead.Tests.Limits;

/// <summary>The per-tenant LLM concurrency gate on its own.</summary>
public sealed class LlmGateTests(LimitsDatabase db) : IClassFixture<LimitsDatabase>
{
    [Fact]
    public async Task a_call_over_the_cap_waits_for_a_slot_and_is_refused_when_none_frees_in_time()
    {
        var tenant = await db.Database.CreateTenantAsync();
        var gate = new LlmConcurrencyGate(db.Limits, new LimitsOptions { LlmQueueTimeout = TimeSpan.FromMilliseconds(200) });
        await using var first = await gate.AcquireAsync(tenant.Scope, default);
        await using var second = await gate.AcquireAsync(tenant.Scope, default);

        var refused = await Assert.ThrowsAsync<LlmConcurrencyExceededException>(async () => await gate.AcquireAsync(tenant.Scope, default));

        Assert.Equal(2, refused.Cap);
        Assert.Equal(2, gate.InFlight(tenant.Id));
    }

    [Fact]
    public async Task a_freed_slot_goes_to_the_oldest_waiter_and_a_lowered_cap_holds_once_calls_finish()
    {
        var tenant = await db.Database.CreateTenantAsync();
        var gate = new LlmConcurrencyGate(db.Limits, db.Options);
        var first = await gate.AcquireAsync(tenant.Scope, default);
        var second = await gate.AcquireAsync(tenant.Scope, default);
        await db.Limits.SetOverridesAsync(tenant.Id, LimitSet.None with { MaxConcurrentLlmCalls = 1 }, default);

        var waiting = gate.AcquireAsync(tenant.Scope, default).AsTask();
        await first.DisposeAsync();
        // Handing the freed slot to the waiter would keep two calls in flight, over the new cap of one.
        var inFlightAfterOneFreed = gate.InFlight(tenant.Id);
        await second.DisposeAsync();
        await using var third = await waiting;

        Assert.Equal(1, inFlightAfterOneFreed);
        Assert.Equal(1, gate.InFlight(tenant.Id));
    }

    [Fact]
    public async Task disposing_a_lease_twice_frees_one_slot()
    {
        var tenant = await db.Database.CreateTenantAsync();
        var gate = new LlmConcurrencyGate(db.Limits, db.Options);
        var lease = await gate.AcquireAsync(tenant.Scope, default);
        await using var other = await gate.AcquireAsync(tenant.Scope, default);

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(1, gate.InFlight(tenant.Id));
    }
}
