using System.Collections.Concurrent;
using Bulkhead.Tenancy;

namespace Bulkhead.Limits;

/// <summary>
/// The per-tenant cap on LLM calls, in this process: each instance admits its share of the tenant's
/// cap (cap / <see cref="LimitsOptions.InstanceCount"/>, rounded up), first come first served. The cap
/// is read on every acquire, so an override applies to the next call.
/// </summary>
public sealed class LlmConcurrencyGate(TenantLimitsSource limits, LimitsOptions options) : ILlmConcurrencyGate
{
    private readonly ConcurrentDictionary<Guid, TenantSlots> _tenants = new();

    public async ValueTask<LlmLease> AcquireAsync(TenantScope tenant, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        // Every plan has a cap (control.plans.max_concurrent_llm_calls is not null) and an override only names a number.
        var cap = (await limits.GetAsync(tenant.TenantId, ct)).Effective.MaxConcurrentLlmCalls
            ?? throw new InvalidOperationException($"Tenant {tenant.TenantId} has no cap on concurrent LLM calls.");
        var share = (cap + options.InstanceCount - 1) / options.InstanceCount;
        var slots = _tenants.GetOrAdd(tenant.TenantId, _ => new TenantSlots());
        if (!await slots.EnterAsync(share, options.LlmQueueTimeout, ct))
        {
            throw new LlmConcurrencyExceededException(cap, options.LlmQueueTimeout);
        }

        return new LlmLease(slots.Exit);
    }

    public int InFlight(Guid tenantId) => _tenants.TryGetValue(tenantId, out var slots) ? slots.Active : 0;
}
