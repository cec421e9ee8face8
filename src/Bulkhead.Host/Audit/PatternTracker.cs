using System.Collections.Concurrent;
using Bulkhead.Audit;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// The in-memory patterns: bursts of 404s per principal (tenant and sub), and one principal (issuer and
/// sub) active in several tenants. Per instance: with several API instances each sees its share of the
/// traffic, so thresholds are per instance. Memory is bounded by <see cref="AlertOptions.MaxTracked"/>.
/// <para>
/// The principal map is keyed by issuer and sub without a tenant, on purpose: finding one principal in
/// several tenants is its whole job. It is kept only when the issuer's subs name one principal across
/// tenants (<see cref="SubjectScope"/>); where a sub is a tenant's own user id, user 123 of two tenants is
/// two people and nothing is kept. It holds only tenant ids and times, never content.
/// </para>
/// </summary>
public sealed class PatternTracker(IOptions<AlertOptions> options, IOptions<BulkheadOptions> server, AlertThrottle throttle, TimeProvider time)
{
    private readonly ConcurrentDictionary<(Guid Tenant, string Sub), Queue<DateTimeOffset>> _misses = new();
    private readonly ConcurrentDictionary<(string Issuer, string Sub), ConcurrentDictionary<Guid, DateTimeOffset>> _principals = new();

    /// <summary>True when a token's sub names one principal in every tenant of its issuer.</summary>
    public bool SubjectsSpanTenants => options.Value.SubjectScope switch
    {
        SubjectScope.Issuer => true,
        SubjectScope.Tenant => false,
        _ => !string.IsNullOrEmpty(server.Value.Auth.Authority) || !string.IsNullOrEmpty(server.Value.Auth.JwksUrl),
    };

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

    /// <summary>
    /// Notes that the issuer's sub made a request as the tenant; returns the alert when the same principal was
    /// active in another tenant within <see cref="AlertOptions.SubWindow"/>, once per issuer, sub and window.
    /// </summary>
    public RaiseAlert? Active(string issuer, Guid tenant, string sub)
    {
        if (!SubjectsSpanTenants)
        {
            return null;
        }

        var settings = options.Value;
        var now = time.GetUtcNow();
        Trim(_principals, settings.MaxTracked, seen => seen.Values.All(t => t <= now - settings.SubWindow));
        var seen = _principals.GetOrAdd((issuer, sub), _ => new ConcurrentDictionary<Guid, DateTimeOffset>());
        seen[tenant] = now;
        foreach (var (stale, _) in seen.Where(e => e.Value <= now - settings.SubWindow))
        {
            seen.TryRemove(stale, out _);
        }

        var tenants = seen.Keys.Order().ToList();
        return tenants.Count > 1 && throttle.ShouldRaise($"{AlertKinds.SubInSeveralTenants}|{issuer}|{sub}", settings.SubWindow)
            ? new RaiseAlert(AlertKinds.SubInSeveralTenants, tenant, sub, new { issuer, tenants, window_seconds = (int)settings.SubWindow.TotalSeconds })
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
