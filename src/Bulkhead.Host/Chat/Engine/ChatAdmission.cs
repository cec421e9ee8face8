using Bulkhead.Limits;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Chat.Engine;

/// <summary>
/// What every model call passes first: the tenant's concurrency gate, then the token quota reservation
/// (prompt plus max_tokens). The ticket settles the reservation with the real usage, or gives it back
/// when the model produced nothing. When the limits are not registered the call passes straight through.
/// Denials surface as the limits' own exceptions, which their handler answers with 429.
/// </summary>
public sealed class ChatAdmission(IServiceProvider services)
{
    private readonly ILlmConcurrencyGate? _gate = services.GetService<ILlmConcurrencyGate>();
    private readonly ITokenQuota? _quota = services.GetService<ITokenQuota>();

    public async Task<ChatTicket> AdmitAsync(TenantScope tenant, string sub, string model, int estimatedTokens, CancellationToken ct)
    {
        var lease = _gate is null ? null : await _gate.AcquireAsync(tenant, ct);
        try
        {
            var reservation = _quota is null ? null : await _quota.ReserveAsync(tenant, sub, model, estimatedTokens, ct);
            return new ChatTicket(_quota, reservation, lease);
        }
        catch
        {
            lease?.Dispose();
            throw;
        }
    }
}

/// <summary>One admitted call: holds its concurrency slot until disposed and settles its reservation once.</summary>
public sealed class ChatTicket(ITokenQuota? quota, TokenReservation? reservation, LlmLease? lease) : IAsyncDisposable
{
    private bool _settled;

    /// <summary>Settles with the tokens used; zero gives the reservation back. Runs even after the client left.</summary>
    public async Task SettleAsync(int usedTokens)
    {
        if (_settled || quota is null || reservation is null)
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
        lease?.Dispose();
    }
}
