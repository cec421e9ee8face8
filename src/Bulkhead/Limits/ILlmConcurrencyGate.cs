using Bulkhead.Tenancy;

namespace Bulkhead.Limits;

/// <summary>
/// Holds one tenant's LLM calls in flight to its plan's cap, so that a tenant flooding the model waits
/// in its own queue and never takes another tenant's share. Hold the lease for the whole call,
/// streaming included:
/// <code>
/// await using var lease = await gate.AcquireAsync(scope, ct); // waits for a slot; 429 when none frees in time
/// </code>
/// </summary>
public interface ILlmConcurrencyGate
{
    /// <exception cref="LlmConcurrencyExceededException">No slot of the tenant freed within <see cref="LimitsOptions.LlmQueueTimeout"/>.</exception>
    ValueTask<LlmLease> AcquireAsync(TenantScope tenant, CancellationToken ct);

    /// <summary>The tenant's calls in flight on this instance.</summary>
    int InFlight(Guid tenantId);
}
