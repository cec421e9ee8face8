using System.Collections.Concurrent;

namespace Bulkhead.Tenancy;

/// <summary>
/// The server's view of the control plane: tenant id to tenant, cached for a short time so that a
/// request costs no extra round trip. A suspension is seen within <see cref="TimeToLive"/>.
/// </summary>
public sealed class TenantDirectory(TenantCatalog catalog, TimeProvider time)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<Guid, (Tenant? Tenant, DateTimeOffset Expires)> _cache = new();

    public async ValueTask<Tenant?> FindAsync(Guid id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(id, out var entry) && entry.Expires > now)
        {
            return entry.Tenant;
        }

        var tenant = await catalog.FindAsync(id, ct);
        // Unknown ids are cached too, so that a flood of forged tids cannot hammer the control plane.
        _cache[id] = (tenant, now + TimeToLive);
        return tenant;
    }

    public void Forget(Guid id) => _cache.TryRemove(id, out _);
}
