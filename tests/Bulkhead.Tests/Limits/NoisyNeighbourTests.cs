using Bulkhead.Limits;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Limits;

/// <summary>
/// One tenant flooding the model must not queue another's calls. The model is played by a shared
/// backend with a fixed number of slots (like a GPU server or a provider's concurrency limit); a call
/// of tenant B that finds every slot taken would wait, so "unchanged latency" is asserted as "never
/// found the backend full", which does not depend on how fast this machine is.
/// </summary>
public sealed class NoisyNeighbourTests(LimitsDatabase db) : IClassFixture<LimitsDatabase>
{
    private const int BackendSlots = 4;

    [Fact]
    public async Task a_tenant_flooding_llm_calls_leaves_another_tenants_calls_unqueued_and_successful()
    {
        var (flooder, quiet) = (await db.Database.CreateTenantAsync(), await db.Database.CreateTenantAsync());
        await db.Limits.SetOverridesAsync(flooder.Id, LimitSet.None with { MaxConcurrentLlmCalls = 2 }, default);
        await db.Limits.SetOverridesAsync(quiet.Id, LimitSet.None with { MaxConcurrentLlmCalls = 2 }, default);
        var gate = new LlmConcurrencyGate(db.Limits, db.Options);

        var run = await RunAsync(gate, flooder, quiet, floodCap: 2);

        Assert.Equal(60, run.FloodSucceeded);
        Assert.Equal(10, run.QuietSucceeded);
        Assert.Equal(0, run.QuietFoundBackendFull);
        Assert.InRange(run.FloodPeakInFlight, 1, 2);
    }

    [Fact]
    public async Task without_a_cap_that_holds_the_flood_to_its_share_the_other_tenant_waits()
    {
        var (flooder, quiet) = (await db.Database.CreateTenantAsync(), await db.Database.CreateTenantAsync());
        await db.Limits.SetOverridesAsync(flooder.Id, LimitSet.None with { MaxConcurrentLlmCalls = 1000 }, default);
        var gate = new LlmConcurrencyGate(db.Limits, db.Options);

        var run = await RunAsync(gate, flooder, quiet, floodCap: 1000);

        // The control experiment: the assertion above can fail, and does when the cap is too high.
        Assert.True(run.QuietFoundBackendFull > 0);
    }

    private static async Task<Run> RunAsync(ILlmConcurrencyGate gate, Tenant flooder, Tenant quiet, int floodCap)
    {
        var backend = new SemaphoreSlim(BackendSlots, BackendSlots);
        var peak = 0;

        async Task<bool> CallAsync(Tenant tenant, Action<bool>? onEnter)
        {
            await using var lease = await gate.AcquireAsync(tenant.Scope, default);
            if (tenant == flooder)
            {
                InterlockedMax(ref peak, gate.InFlight(flooder.Id));
            }

            onEnter?.Invoke(backend.CurrentCount == 0);
            await backend.WaitAsync();
            try
            {
                await Task.Delay(40);
                return true;
            }
            finally
            {
                backend.Release();
            }
        }

        var flood = Enumerable.Range(0, 60).Select(_ => Task.Run(() => CallAsync(flooder, null))).ToList();
        // The quiet tenant starts once the flood holds every backend slot its cap allows it.
        var occupied = Math.Min(floodCap, BackendSlots);
        for (var waited = 0; BackendSlots - backend.CurrentCount < occupied; waited++)
        {
            Assert.True(waited < 3000, "the flood never reached its share of the backend");
            await Task.Delay(10);
        }

        var full = 0;
        var quietSucceeded = 0;
        for (var i = 0; i < 10; i++)
        {
            if (await CallAsync(quiet, isFull => { if (isFull) { full++; } }))
            {
                quietSucceeded++;
            }
        }

        var floodResults = await Task.WhenAll(flood);
        return new Run(floodResults.Count(r => r), quietSucceeded, full, peak);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed record Run(int FloodSucceeded, int QuietSucceeded, int QuietFoundBackendFull, int FloodPeakInFlight);
}
