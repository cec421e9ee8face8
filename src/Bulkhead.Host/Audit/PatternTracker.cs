using System.Collections.Concurrent;
using Bulkhead.Audit;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// The in-memory patterns: bursts of 404s per principal (tenant and sub), and one sub active in several
/// tenants. Per instance: with several API instances each sees its share of the traffic, so thresholds
/// are per instance. Memory is bounded by <see cref="AlertOptions.MaxTracked"/>.
/// <para>
/// The sub map is the one structure keyed by sub without a tenant, on purpose: finding the same sub in
/// several tenants is its whole job. It holds only tenant ids and times, never content.
/// </para>
/// </summary>
public sealed class PatternTracker(IOptions<AlertOptions> options, AlertThrottle throttle, TimeProvider time)
{
    private readonly ConcurrentDictionary<(Guid Tenant, string Sub), Queue<DateTimeOffset>> _misses = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, DateTimeOffset>> _subs = new(StringComparer.Ordinal);

    /// <summary>Counts a 404; returns the alert to raise when the principal crossed the threshold.</summary>
    public RaiseAlert? NotFound(Guid tenant, string sub)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        Trim(_misses, settings.MaxTracked, q => { lock (q) { return q.Count == 0 || q.Peek() <= now - settings.EnumerationWindow; } });
        var window = _misses.GetOrAdd((tenant, sub), _ => new Queue<DateTimeOffset>());
        int count;
        lock (window)
        {
            window.Enqueue(now);
            while (window.Peek() <= now - settings.EnumerationWindow)
            {
                window.Dequeue();
            }

            count = window.Count;
        }

        return count >= settings.EnumerationThreshold && throttle.ShouldRaise($"{AlertKinds.IdEnumeration}|{tenant}|{sub}")
            ? new RaiseAlert(AlertKinds.IdEnumeration, tenant, sub, new { not_found = count, window_seconds = (int)settings.EnumerationWindow.TotalSeconds })
            : null;
    }

    /// <summary>Notes that the sub made a request as the tenant; returns the alert when it was active in another tenant recently.</summary>
    public RaiseAlert? Active(Guid tenant, string sub)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        Trim(_subs, settings.MaxTracked, seen => seen.Values.All(t => t <= now - settings.SubWindow));
        var seen = _subs.GetOrAdd(sub, _ => new ConcurrentDictionary<Guid, DateTimeOffset>());
        seen[tenant] = now;
        var tenants = seen.Where(e => e.Value > now - settings.SubWindow).Select(e => e.Key).Order().ToList();
        return tenants.Count > 1 && throttle.ShouldRaise($"{AlertKinds.SubInSeveralTenants}|{tenant}|{sub}")
            ? new RaiseAlert(AlertKinds.SubInSeveralTenants, tenant, sub, new { tenants })
            : null;
    }

    private static void Trim<TKey, TValue>(ConcurrentDictionary<TKey, TValue> map, int max, Func<TValue, bool> stale) where TKey : notnull
    {
        if (map.Count < max)
        {
            return;
        }

        foreach (var key in map.Where(e => stale(e.Value)).Select(e => e.Key).ToList())
        {
            map.TryRemove(key, out _);
        }
    }
}
