using Bulkhead.Limits;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Chat.Engine;

/// <summary>
/// What every model call passes first: the tenant's concurrency gate, then the token quota reservation
/// (prompt plus max_tokens). The ticket settles the reservation with the real usage, or gives it back
/// when the model produced nothing. Denials surface as the limits' own exceptions, which their handler
/// answers with 429.
/// </summary>
public sealed class ChatAdmission(ILlmConcurrencyGate gate, ITokenQuota quota)
{
    public async Task<ChatTicket> AdmitAsync(TenantScope tenant, string sub, string model, int estimatedTokens, CancellationToken ct)
    {
        var lease = await gate.AcquireAsync(tenant, ct);
        try
        {
            return new ChatTicket(quota, await quota.ReserveAsync(tenant, sub, model, estimatedTokens, ct), lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }
}

/// <summary>One admitted call: holds its concurrency slot until disposed and settles its reservation once.</summary>
public sealed class ChatTicket(ITokenQuota quota, TokenReservation reservation, LlmLease lease) : IAsyncDisposable
{
    private bool _settled;

    /// <summary>Settles with the tokens used; zero gives the reservation back. Runs even after the client left.</summary>
    public async Task SettleAsync(int usedTokens)
    {
        if (_settled)
        {
            return;
        }

        _settled = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (usedTokens > 0)
        {
            await quota.ReconcileAsync(reservation, usedTokens, timeout.Token);
        }
        else
        {
            await quota.ReleaseAsync(reservation, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A reservation nobody settled (an exception on the way) is given back rather than left held.
        await SettleAsync(0);
        lease.Dispose();
    }
}
