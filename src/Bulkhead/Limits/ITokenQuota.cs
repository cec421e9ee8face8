using Bulkhead.Audit;
using Bulkhead.Tenancy;

namespace Bulkhead.Limits;

/// <summary>
/// A tenant's monthly LLM token quota. Around every LLM call:
/// <code>
/// var reservation = await quota.ReserveAsync(scope, sub, model, promptTokens + maxTokens, ct); // 429 when over
/// try { ...call the model, stream... }
/// catch { await quota.ReleaseAsync(reservation, ct); throw; }
/// await quota.ReconcileAsync(reservation, usage.TotalTokens, ct);
/// </code>
/// Reconcile and release are idempotent: the first of them settles the reservation, later calls do
/// nothing and return false. Usage is kept per tenant and calendar month (UTC) in the tenant's own
/// ledger tables.
/// </summary>
public interface ITokenQuota
{
    /// <summary>Reserves the estimate against this month's quota, atomically with every other reservation.</summary>
    /// <exception cref="TokenQuotaExceededException">The estimate does not fit in what is left this month.</exception>
    Task<TokenReservation> ReserveAsync(TenantScope tenant, string sub, string model, int estimatedTokens, CancellationToken ct);

    /// <summary>Replaces the reservation with the tokens the call really used (more or fewer).</summary>
    /// <returns>True when this call settled the reservation; false when it was already settled.</returns>
    Task<bool> ReconcileAsync(TokenReservation reservation, int actualTokens, CancellationToken ct);

    /// <summary>Gives the reservation back unused (the call failed before the model answered).</summary>
    /// <returns>True when this call settled the reservation; false when it was already settled.</returns>
    Task<bool> ReleaseAsync(TokenReservation reservation, CancellationToken ct);

    /// <summary>This month's usage; read for <paramref name="reader"/> it is audited as <c>usage.read</c> (null: unaudited bookkeeping).</summary>
    Task<MonthlyUsage> GetUsageAsync(TenantScope tenant, AuditActor? reader, CancellationToken ct);
}

/// <summary>A reservation of tokens in the tenant's ledger; carry it to reconcile or release.</summary>
public sealed record TokenReservation(Guid Id, TenantScope Tenant, DateOnly Month, long Tokens);

/// <summary>This month's usage: settled tokens, tokens reserved by calls in flight, and the quota (null: unlimited).</summary>
public sealed record MonthlyUsage(
    DateOnly Month,
    long UsedTokens,
    long ReservedTokens,
    long? MonthlyTokens,
    DateTimeOffset ResetsAt,
    IReadOnlyList<ModelUsage> ByModel,
    IReadOnlyList<CallerUsage> ByCaller)
{
    public long? RemainingTokens => MonthlyTokens is { } quota ? Math.Max(0, quota - UsedTokens - ReservedTokens) : null;
}

public sealed record ModelUsage(string Model, long UsedTokens, long Calls);

/// <summary>One caller's usage: a user (<paramref name="KeyId"/> null) or an API key of the tenant, with its name.</summary>
public sealed record CallerUsage(string Sub, Guid? KeyId, string? KeyName, long UsedTokens, long Calls);
