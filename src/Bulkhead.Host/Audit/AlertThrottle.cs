using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// Raises each alert (kind and principal) at most once per quiet period, so that a flood of forged
/// tokens or 404s is one alert, not a million rows. Keys always carry the tenant, or for a principal
/// that is not a tenant's, the token issuer.
/// </summary>
public sealed class AlertThrottle(IOptions<AlertOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _quietUntil = new(StringComparer.Ordinal);

    public bool ShouldRaise(string key) => ShouldRaise(key, options.Value.Quiet);

    /// <param name="quiet">How long the alert then stays quiet, when its own window is not <see cref="AlertOptions.Quiet"/>.</param>
    public bool ShouldRaise(string key, TimeSpan quiet)
    {
        var now = time.GetUtcNow();
        if (_quietUntil.TryGetValue(key, out var until) && until > now)
        {
            return false;
        }

        if (_quietUntil.Count >= options.Value.MaxTracked)
        {
            foreach (var expired in _quietUntil.Where(e => e.Value <= now).Select(e => e.Key).ToList())
            {
                _quietUntil.TryRemove(expired, out _);
            }
        }

        _quietUntil[key] = now + quiet;
        return true;
    }
}
