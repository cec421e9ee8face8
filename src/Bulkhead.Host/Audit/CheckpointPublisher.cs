using System.Net.Http.Json;
using Bulkhead.Audit;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// Signs a tenant's head and appends it to the checkpoint store, and posts it to the witness when one is
/// configured; the witness checks the signature with the public key (<see cref="CheckpointKeyFile.PublicKeyPem"/>).
/// </summary>
public sealed class CheckpointPublisher(
    ICheckpointKey key, ICheckpointStore store, IHttpClientFactory clients, IOptions<AuditOptions> options, TimeProvider time, ILogger<CheckpointPublisher> log)
{
    public const string WitnessClient = "audit-witness";

    public async Task<Checkpoint> PublishAsync(Guid tenantId, AuditHead head, CancellationToken ct)
    {
        var checkpoint = Checkpoint.Sign(tenantId, head, time.GetUtcNow(), key);
        await store.AppendAsync(checkpoint, ct);
        if (options.Value.WitnessUrl is { Length: > 0 } url)
        {
            try
            {
                using var response = await clients.CreateClient(WitnessClient).PostAsJsonAsync(url, checkpoint, ct);
                if (!response.IsSuccessStatusCode)
                {
                    log.LogWarning("The audit witness answered {Status} for tenant {TenantId}'s checkpoint of block {Block}", (int)response.StatusCode, tenantId, head.Block);
                }
            }
            catch (HttpRequestException e)
            {
                log.LogWarning(e, "The audit witness is unreachable; tenant {TenantId}'s checkpoint of block {Block} is in the directory only", tenantId, head.Block);
            }
        }

        return checkpoint;
    }
}
