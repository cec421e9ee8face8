using System.Threading.Channels;
using Bulkhead.Audit;
using Bulkhead.Crypto;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Crypto;

/// <summary>
/// Writes the key ring's <c>key.create</c> events into each tenant's audit trail, off the request path: the
/// request that made a user's first key keeps its one round trip and its one event. The queue never drops and
/// never blocks a request: keys are made once per user, so it holds at most one entry per new user while the
/// trail is slow or unreachable. An event still queued when the process dies is lost; the key's creation is then seen in the
/// provider, not in the trail.
/// </summary>
public sealed class KeyEventWriter(TenantDirectory directory, IPlacementRouter router, ILogger<KeyEventWriter> log) : BackgroundService, IKeyEvents
{
    private readonly Channel<(Guid Tenant, string Key)> _created = Channel.CreateUnbounded<(Guid, string)>(
        new UnboundedChannelOptions { SingleReader = true });

    // An unbounded channel accepts every write until it is completed, which it never is.
    public void Created(Guid tenant, string key) => _created.Writer.TryWrite((tenant, key));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (tenant, key) in _created.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (await directory.FindAsync(tenant, stoppingToken) is { } found)
                {
                    await KeyAudit.RecordAsync(found.Scope, router, AuditActions.KeyCreate, key, 1, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "The key.create event of tenant {TenantId} could not be written", tenant);
            }
        }
    }
}
