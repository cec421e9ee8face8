using Npgsql;

namespace Bulkhead.Verification;

/// <summary>
/// One target being inspected: a read-only transaction as the role under test, what the catalog says
/// about its tenant tables, and the findings gathered so far.
/// </summary>
internal sealed class Inspection(NpgsqlConnection connection, NpgsqlTransaction transaction, LintTarget target, string database, string role)
{
    // Schemas that hold no tenant data: the system catalogs and the control plane, whose
    // placements table names tenants but is the directory, not their data.
    public static readonly string[] NonTenantSchemas = ["control", "information_schema"];

    public const string UserSchemas = "n.nspname !~ '^pg_' and n.nspname <> all($1)";

    public LintTarget Target { get; } = target;

    public string Database { get; } = database;

    public string Role { get; } = role;

    public List<Finding> Findings { get; } = [];

    public IReadOnlyList<TenantTable> Tables { get; private set; } = [];

    public void Pass(string rule, string subject, string detail) =>
        Findings.Add(new Finding(rule, Target.Server, Database, subject, true, detail));

    public void Fail(string rule, string subject, string detail) =>
        Findings.Add(new Finding(rule, Target.Server, Database, subject, false, detail));

    public async Task LoadTablesAsync(CancellationToken ct)
    {
        Tables = await QueryAsync(
            $"""
            select c.oid, n.nspname, c.relname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   c.relrowsecurity, c.relforcerowsecurity
              from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
              join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
             where c.relkind in ('r', 'p') and {UserSchemas}
             order by n.nspname, c.relname
            """,
            r => new TenantTable(r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2), r.GetInt16(3), r.GetString(4), r.GetBoolean(5), r.GetBoolean(6), r.GetBoolean(7)),
            ct);
    }

    /// <summary>Runs a catalog query; $1 is always the list of schemas that hold no tenant data, $2 the optional argument.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, object? argument = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = NonTenantSchemas });
        if (argument is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument });
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>
    /// Runs statements in one round trip behind a savepoint and returns the first column of the last
    /// one, or the database error that stopped them (the inspection goes on either way).
    /// </summary>
    public async Task<(object? Value, PostgresException? Error)> TryBatchScalarAsync(CancellationToken ct, params NpgsqlBatchCommand[] commands)
    {
        await transaction.SaveAsync("probe", ct);
        try
        {
            var value = await BatchScalarAsync(ct, commands);
            await transaction.ReleaseAsync("probe", ct);
            return (value, null);
        }
        catch (PostgresException e)
        {
            await transaction.RollbackAsync("probe", ct);
            return (null, e);
        }
    }

    private async Task<object?> BatchScalarAsync(CancellationToken ct, params NpgsqlBatchCommand[] commands)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        object? last = null;
        await using var reader = await batch.ExecuteReaderAsync(ct);
        do
        {
            while (await reader.ReadAsync(ct))
            {
                last = reader.GetValue(0);
            }
        }
        while (await reader.NextResultAsync(ct));

        return last;
    }
}
