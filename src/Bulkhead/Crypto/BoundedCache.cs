using System.Collections.Concurrent;

namespace Bulkhead.Crypto;

/// <summary>
/// A concurrent map with a size limit: when full, an arbitrary tenth of the entries goes (unwrapping them
/// again costs one provider call each). Unwrapped keys are held here and nowhere else.
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();

    public int Count => _entries.Count;

    public bool TryGet(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    public TValue Set(TKey key, TValue value)
    {
        if (_entries.Count >= capacity)
        {
            foreach (var evicted in _entries.Keys.Take(Math.Max(1, capacity / 10)))
            {
                _entries.TryRemove(evicted, out _);
            }
        }

        _entries[key] = value;
        return value;
    }

    public void Remove(TKey key) => _entries.TryRemove(key, out _);

    public void RemoveWhere(Func<TKey, bool> match)
    {
        foreach (var key in _entries.Keys.Where(match))
        {
            _entries.TryRemove(key, out _);
        }
    }
}
