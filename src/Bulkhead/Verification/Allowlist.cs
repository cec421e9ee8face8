namespace Bulkhead.Verification;

/// <summary>
/// Tables allowed in a tenant schema without a tenant_id column, each with its reason. Kept in the
/// repository (allowlist.txt, embedded) so that every exception is reviewed like code.
/// </summary>
public sealed class Allowlist
{
    private readonly Dictionary<string, string> _reasons;

    public Allowlist(IReadOnlyDictionary<string, string> reasons) =>
        _reasons = new Dictionary<string, string>(reasons, StringComparer.Ordinal);

    public static Allowlist Embedded { get; } = Parse(ReadEmbedded());

    public IReadOnlyDictionary<string, string> Reasons => _reasons;

    public string? ReasonFor(string table) => _reasons.GetValueOrDefault(table);

    public static Allowlist Parse(string text)
    {
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var space = line.IndexOfAny([' ', '\t']);
            // An entry without a reason is refused: the reason is the point of the list.
            if (space < 0 || line[space..].Trim().Length == 0)
            {
                throw new FormatException($"allowlist entry '{line}' has no reason.");
            }

            reasons[line[..space]] = line[space..].Trim();
        }

        return new Allowlist(reasons);
    }

    private static string ReadEmbedded()
    {
        using var stream = typeof(Allowlist).Assembly.GetManifestResourceStream("verification/allowlist.txt")
            ?? throw new InvalidOperationException("The embedded allowlist is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
