using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// A bulk load into the shared pooled tables without the per-row foreign-key triggers, then one check of
/// the tenant's references per foreign key before the load commits. The pooled tier's keys and indexes
/// stay (other tenants use them), but its foreign-key triggers cost a quarter to a third of the load.
/// Skipping them needs the right to set <c>session_replication_role</c>, which bootstrap.sql grants the
/// owner role; without it the load keeps its triggers.
/// </summary>
public static class DeferredReferences
{
    /// <summary>Turns the triggers off for the rest of the caller's transaction, if the role may; whether it did.</summary>
    public static async Task<bool> TryDeferAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select case when has_parameter_privilege('session_replication_role', 'SET')
                        then set_config('session_replication_role', 'replica', true) end
            """, connection);
        return await command.ExecuteScalarAsync(ct) is string;
    }

    /// <summary>
    /// Turns the triggers back on, then checks every foreign key of the tables for the tenant's rows: a row
    /// whose parent is missing fails the load (and the caller's transaction rolls it back).
    /// </summary>
    public static async Task VerifyAsync(NpgsqlConnection connection, string schema, IReadOnlyCollection<string> tables, Guid tenantId, CancellationToken ct)
    {
        await using (var origin = new NpgsqlCommand("select set_config('session_replication_role', 'origin', true)", connection))
        {
            await origin.ExecuteScalarAsync(ct);
        }

        var keys = new List<(string Name, string Child, string Parent, string[] Columns, string[] ParentColumns)>();
        await using (var command = new NpgsqlCommand("""
            select con.conname::text, c.relname::text, p.relname::text,
                   array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i),
                   array(select a.attname::text from unnest(con.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)
              from pg_constraint con
              join pg_class c on c.oid = con.conrelid
              join pg_class p on p.oid = con.confrelid
              join pg_namespace n on n.oid = c.relnamespace
             where con.contype = 'f' and n.nspname = $1 and c.relname = any($2)
             order by 1
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            command.Parameters.Add(new NpgsqlParameter { Value = tables.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                keys.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<string[]>(3), reader.GetFieldValue<string[]>(4)));
            }
        }

        foreach (var key in keys)
        {
            // MATCH SIMPLE, as the constraints are declared: a row with a null in the key references nothing.
            var present = string.Join(" and ", key.Columns.Select(c => $"c.{Migrator.Quote(c)} is not null"));
            var matches = string.Join(" and ", key.Columns.Zip(key.ParentColumns, (c, p) => $"p.{Migrator.Quote(p)} = c.{Migrator.Quote(c)}"));
            var (child, parent) = ($"{Migrator.Quote(schema)}.{Migrator.Quote(key.Child)}", $"{Migrator.Quote(schema)}.{Migrator.Quote(key.Parent)}");
            await using var check = new NpgsqlCommand(
                $"select count(*) from {child} c where c.tenant_id = $1 and {present} and not exists (select 1 from {parent} p where {matches})", connection)
            { CommandTimeout = 0 };
            check.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            var dangling = (long)(await check.ExecuteScalarAsync(ct))!;
            if (dangling > 0)
            {
                throw new TenantRuleException(
                    $"{dangling} row(s) of {key.Child} reference a missing {key.Parent} row ({key.Name}); the copy is rolled back and the tenant stays where it is.");
            }
        }
    }
}
