namespace Bulkhead.Host.Cli;

/// <summary>A verb's arguments: <c>--name value</c> options, <c>--flag</c>s and positionals.</summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        var parsed = new CliArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                parsed.Positionals.Add(arg);
                continue;
            }

            var name = arg[2..];
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                parsed._options[name[..equals]] = name[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                parsed._options[name] = args[++i];
            }
            else
            {
                parsed._options[name] = null;
            }
        }

        return parsed;
    }

    public string? Get(string name) => _options.GetValueOrDefault(name);

    public bool Has(string name) => _options.ContainsKey(name);

    public string Require(string name) => RequireAll(name)[0];

    /// <summary>The values of options that must all be given; one error names every one that is missing.</summary>
    public string[] RequireAll(params string[] names)
    {
        var missing = names.Where(n => Get(n) is not { Length: > 0 }).Select(n => "--" + n).ToList();
        return missing.Count switch
        {
            0 => [.. names.Select(n => Get(n)!)],
            1 => throw new CliException($"{missing[0]} is required."),
            _ => throw new CliException($"{string.Join(", ", missing[..^1])} and {missing[^1]} are required."),
        };
    }
}

/// <summary>A usage error: printed without a stack trace, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
