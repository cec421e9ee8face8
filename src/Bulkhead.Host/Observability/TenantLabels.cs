using System.Collections.Concurrent;

namespace Bulkhead.Host.Observability;

/// <summary>
/// Keeps the tenant label of metrics bounded with any number of tenants: the first
/// <see cref="TelemetryOptions.TenantLabels"/> tenants a process sees get their own label (their id);
/// every later one is counted under "other". Traces and logs always carry the exact tenant, so a
/// tenant folded into "other" is still found there. Cardinality per metric is at most (limit + 1) x
/// the other labels (tier, status class), whatever the number of tenants.
/// </summary>
public sealed class TenantLabels(int limit)
{
    public const string Other = "other";

    private readonly ConcurrentDictionary<Guid, string> _labels = new();

    public string For(Guid tenant)
    {
        if (_labels.TryGetValue(tenant, out var label))
        {
            return label;
        }

        // Racing threads may admit a few more than the limit; the bound still holds within that margin.
        return _labels.Count < limit ? _labels.GetOrAdd(tenant, t => t.ToString("D")) : Other;
    }
}
