using System.Reflection;

namespace Bulkhead.Storage;

/// <summary>One versioned SQL file, embedded in the assembly as migrations/{set}/{version}_{name}.sql.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public static IReadOnlyList<Migration> Load(MigrationSet set)
    {
        var prefix = $"migrations/{set.ToString().ToLowerInvariant()}/";
        var assembly = typeof(Migration).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => Parse(assembly, n, n[prefix.Length..]))
            .OrderBy(m => m.Version)
            .ToList();
    }

    private static Migration Parse(Assembly assembly, string resource, string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var underscore = stem.IndexOf('_', StringComparison.Ordinal);
        var version = int.Parse(stem[..underscore], System.Globalization.CultureInfo.InvariantCulture);
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var text = new StreamReader(stream);
        return new Migration(version, stem[(underscore + 1)..], text.ReadToEnd());
    }
}

/// <summary>The control plane is migrated once; the tenant set once per placement schema.</summary>
public enum MigrationSet
{
    Control,
    Tenant,
}
