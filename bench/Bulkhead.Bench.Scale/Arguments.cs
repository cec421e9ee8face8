using System.Globalization;

namespace Bulkhead.Bench.Scale;

/// <summary>Options of the form <c>--name value</c> and bare flags <c>--name</c>.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = null;
                }

                pending = arg[2..];
                var equals = pending.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    _values[pending[..equals]] = pending[(equals + 1)..];
                    pending = null;
                }
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }

        if (pending is not null)
        {
            _values[pending] = null;
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name) => _values.GetValueOrDefault(name);

    public long Long(string name, long fallback) =>
        _values.TryGetValue(name, out var v) && v is not null ? long.Parse(v.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;

    public int Int(string name, int fallback) => checked((int)Long(name, fallback));

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out var v) && v is not null ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public void Only(params string[] known)
    {
        foreach (var name in _values.Keys.Where(k => !known.Contains(k)))
        {
            throw new ArgumentException($"unknown option --{name}");
        }
    }
}
