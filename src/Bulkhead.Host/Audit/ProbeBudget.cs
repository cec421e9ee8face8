using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// Bounds the work one principal (tenant and sub) can cause with 404s: at most
/// <see cref="AlertOptions.ProbeChecksPerMinute"/> probe checks a minute, and each id it misses checked once
/// per quiet period. A principal that goes past the budget has already raised id_enumeration, so what the
/// budget leaves unchecked is reported anyway. Memory is bounded by <see cref="AlertOptions.MaxTracked"/>.
/// </summary>
public sealed class ProbeBudget(IOptions<AlertOptions> options, AlertThrottle throttle, TimeProvider time)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(Guid Tenant, string Sub), Window> _windows = new();

    public ProbeAdmission Admit(ProbeCheck check)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        if (_windows.Count >= settings.MaxTracked)
        {
            foreach (var stale in _windows.Where(e => e.Value.Started <= now - Minute).Select(e => e.Key).ToList())
            {
                _windows.TryRemove(stale, out _);
            }
        }

        var window = _windows.GetOrAdd((check.TenantId, check.Sub), _ => new Window { Started = now });
        lock (window)
        {
            if (window.Started <= now - Minute)
            {
                (window.Started, window.Checks) = (now, 0);
            }

            if (window.Checks >= settings.ProbeChecksPerMinute)
            {
                return ProbeAdmission.OverBudget;
            }

            window.Checks++;
        }

        return throttle.ShouldRaise($"probe|{check.TenantId}|{check.Sub}|{check.ResourceType}|{check.ResourceId}")
            ? ProbeAdmission.Admitted
            : ProbeAdmission.Repeated;
    }

    private sealed class Window
    {
        public DateTimeOffset Started { get; set; }

        public int Checks { get; set; }
    }
}
