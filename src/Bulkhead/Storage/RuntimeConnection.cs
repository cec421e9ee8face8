using System.Data.Common;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// What every runtime-role data source adds to its connection string (the primary pool, and each
/// database-tier pool): Npgsql's automatic preparation, so that a connection parses and plans each
/// statement once, row-level security's policy expansion included, and afterwards only binds and runs it.
/// <para>
/// A connection string that names <c>Max Auto Prepare</c> keeps its value, and database-tier
/// connections inherit it from the runtime connection: <c>Max Auto Prepare=0</c> in
/// <c>Bulkhead:DatabaseConnection</c> turns preparation off everywhere, as PgBouncer in transaction
/// mode needs (1.18 has no protocol-level prepared statements).
/// </para>
/// </summary>
public static class RuntimeConnection
{
    /// <summary>Prepared statements kept per connection: the runtime role's whole repertoire fits with room to spare.</summary>
    public const int MaxAutoPrepare = 64;

    /// <summary>A statement is prepared on its second use, so a one-off never occupies a slot.</summary>
    public const int AutoPrepareMinUsages = 2;

    private const string MaxAutoPrepareKey = "Max Auto Prepare";
    private const string MinUsagesKey = "Auto Prepare Min Usages";

    public static string Prepared(string connectionString) => Prepared(new NpgsqlConnectionStringBuilder(connectionString)).ConnectionString;

    public static NpgsqlConnectionStringBuilder Prepared(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Npgsql's own ContainsKey answers for every known keyword; the canonical string names only those set.
        var named = new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        if (!named.ContainsKey(MaxAutoPrepareKey))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!named.ContainsKey(MinUsagesKey))
        {
            builder.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }

        return builder;
    }

    /// <summary>Whether connections of this string prepare statements automatically.</summary>
    public static bool Prepares(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).MaxAutoPrepare > 0;
}
