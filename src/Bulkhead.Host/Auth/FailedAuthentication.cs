using System.Collections.Concurrent;
using System.Net;

namespace Bulkhead.Host.Auth;

/// <summary>
/// A budget of failed credential lookups per client address: 30 in any one minute, in this process.
/// Credentials that need a database lookup before they can be refused (API keys from before tags) are not
/// looked up once their address is over budget, so cycling forged keys cannot turn into control-plane
/// queries and tenant connections. The answer stays a 401 either way. At most 10,000 addresses are
/// tracked; past that the table starts over rather than grow.
/// </summary>
public sealed class FailedAuthentication(TimeProvider time)
{
    private const int PerMinute = 30;
    private const int MaxAddresses = 10_000;

    private readonly ConcurrentDictionary<string, (long Minute, int Failures)> _failures = new(StringComparer.Ordinal);

    public bool MayTry(IPAddress? address) =>
        !_failures.TryGetValue(Key(address), out var entry) || entry.Minute != Minute() || entry.Failures < PerMinute;

    public void Record(IPAddress? address)
    {
        if (_failures.Count >= MaxAddresses)
        {
            _failures.Clear();
        }

        var minute = Minute();
        _failures.AddOrUpdate(Key(address), (minute, 1), (_, e) => e.Minute == minute ? (minute, e.Failures + 1) : (minute, 1));
    }

    private long Minute() => time.GetUtcNow().ToUnixTimeSeconds() / 60;

    private static string Key(IPAddress? address) => address?.ToString() ?? "unknown";
}
