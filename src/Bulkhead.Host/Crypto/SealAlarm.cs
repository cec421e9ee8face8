using Bulkhead.Audit;
using Bulkhead.Crypto;
using Bulkhead.Host.Audit;

namespace Bulkhead.Host.Crypto;

/// <summary>
/// A sealed value that did not open is refused (the request fails closed, nothing of the value is served)
/// and raises a seal_broken alert naming where it was found, never what it held.
/// </summary>
public sealed class SealAlarm(AlertDispatcher alerts, ILogger<SealAlarm> log)
{
    public const string Detail = "Stored content could not be opened; it was not served and the operator was alerted.";

    public async ValueTask RaiseAsync(SealBrokenException broken, string? sub)
    {
        log.LogWarning("Sealed {Table}.{Column} of row {Row} of tenant {TenantId} did not open: {Reason}", broken.Table, broken.Column, broken.Row, broken.Tenant, broken.Reason);
        await alerts.RaiseAsync(new RaiseAlert(AlertKinds.SealBroken, broken.Tenant, sub, new
        {
            table = broken.Table,
            column = broken.Column,
            row = broken.Row,
            reason = broken.Reason,
        }));
    }
}
