using System.Collections.Concurrent;

namespace Bulkhead.Tenancy;

/// <summary>
/// The server's view of the control plane: tenant id to tenant, cached for a short time so that a
/// request costs no extra round trip. A suspension is seen within <see cref="TimeToLive"/>. Bounded:
/// at most <see cref="MaxTenants"/> known tenants and <see cref="MaxUnknown"/> unknown ids are held, so
/// a flood of made-up tenant ids cannot grow the server's memory.
/// </summary>
public sealed class TenantDirectory(TenantCatalog catalog, TimeProvider time)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(2);

    public const int MaxTenants = 100_000;

    public const int MaxUnknown = 10_000;

    private readonly ConcurrentDictionary<Guid, (Tenant? Tenant, DateTimeOffset Expires)> _known = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _unknown = new();

    /// <summary>Entries held right now, known and unknown.</summary>
    public int Count => _known.Count + _unknown.Count;

    public async ValueTask<Tenant?> FindAsync(Guid id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_known.TryGetValue(id, out var entry) && entry.Expires > now)
        {
            return entry.Tenant;
        }

        // Unknown ids are cached too, so that a flood of forged tids cannot hammer the control plane.
        if (_unknown.TryGetValue(id, out var expires) && expires > now)
        {
            return null;
        }

        var tenant = await catalog.FindAsync(id, ct);
        if (tenant is null)
        {
            _known.TryRemove(id, out _);
            Bound(_unknown, MaxUnknown, e => e <= now);
            _unknown[id] = now + TimeToLive;
        }
        else
        {
            _unknown.TryRemove(id, out _);
            Bound(_known, MaxTenants, e => e.Expires <= now);
            _known[id] = (tenant, now + TimeToLive);
        }

        return tenant;
    }

    /// <summary>
    /// The tenant read again from the control plane after a placement refused a write of <paramref name="staleEpoch"/>:
    /// the tenant where it lives now, or null when it has not moved on (nothing to retry) or is being offboarded.
    /// </summary>
    public async ValueTask<Tenant?> ResolveAgainAsync(Guid id, long staleEpoch, CancellationToken ct)
    {
        Forget(id);
        return await FindAsync(id, ct) is { Status: TenantStatus.Active or TenantStatus.Suspended } tenant && tenant.Epoch != staleEpoch ? tenant : null;
    }

    public void Forget(Guid id)
    {
        _known.TryRemove(id, out _);
        _unknown.TryRemove(id, out _);
    }

    /// <summary>Makes room for one more entry: expired entries go first, and if none has expired, all of them.</summary>
    private static void Bound<T>(ConcurrentDictionary<Guid, T> map, int max, Func<T, bool> expired)
    {
        if (map.Count < max)
        {
            return;
        }

        foreach (var (key, value) in map)
        {
            if (expired(value))
            {
                map.TryRemove(key, out _);
            }
        }

        if (map.Count >= max)
        {
            map.Clear();
        }
    }
}
