using System.Text.RegularExpressions;

namespace Bulkhead.Tenancy;

/// <summary>The server, database and schema that hold one tenant's rows.</summary>
public sealed partial record Placement
{
    public const string PrimaryServer = "primary";
    public const string SharedSchema = "app";

    public static Placement Pooled { get; } = new(Tier.Pooled, PrimaryServer, null, SharedSchema);

    public Placement(Tier tier, string server, string? database, string schema)
    {
        if (!SchemaName().IsMatch(schema))
        {
            throw new ArgumentException($"'{schema}' is not a valid schema name.", nameof(schema));
        }

        Tier = tier;
        Server = server;
        Database = database;
        Schema = schema;
    }

    public Tier Tier { get; }

    public string Server { get; }

    /// <summary>The database on <see cref="Server"/>; null means the control-plane database.</summary>
    public string? Database { get; }

    public string Schema { get; }

    // Schema names go into search_path, so they are restricted to plain lower-case identifiers.
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
