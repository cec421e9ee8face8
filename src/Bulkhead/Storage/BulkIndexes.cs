using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// Keys, indexes and foreign keys of some tables, dropped before a bulk load and rebuilt after it:
/// building a btree once from sorted input is far cheaper than many random inserts, and a foreign key
/// validated once is cheaper than a trigger per row. The definitions are read from the catalog, so what
/// is rebuilt is exactly what the migrations made. Run both inside the load's transaction, and a failed
/// load leaves the tables as they were.
/// </summary>
public sealed record BulkIndexes(IReadOnlyList<(string Drop, string Create)> Keys, IReadOnlyList<(string Drop, string Create)> Indexes, IReadOnlyList<(string Drop, string Create)> ForeignKeys)
{
    public static async Task<BulkIndexes> CaptureAsync(NpgsqlConnection connection, string schema, IReadOnlyCollection<string> tables, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var names = tables.ToArray();
        var keys = new List<(string, string)>();
        var indexes = new List<(string, string)>();
        var foreignKeys = new List<(string, string)>();
        await using (var command = new NpgsqlCommand("""
            select con.contype, format('%I.%I', n.nspname, c.relname), format('%I', con.conname), pg_get_constraintdef(con.oid)
              from pg_constraint con
              join pg_class c on c.oid = con.conrelid
              join pg_namespace n on n.oid = c.relnamespace
              left join pg_class f on f.oid = con.confrelid
             where n.nspname = $1
               and ((con.contype in ('p', 'u') and c.relname = any($2))
                 or (con.contype = 'f' and (c.relname = any($2) or f.relname = any($2))))
             order by con.conname
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            command.Parameters.Add(new NpgsqlParameter { Value = names });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var (type, table, name, definition) = (reader.GetChar(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                var pair = ($"alter table {table} drop constraint {name}", $"alter table {table} add constraint {name} {definition}");
                (type == 'f' ? foreignKeys : keys).Add(pair);
            }
        }

        await using (var command = new NpgsqlCommand("""
            select format('%I.%I', i.schemaname, i.indexname), i.indexdef
              from pg_indexes i
             where i.schemaname = $1 and i.tablename = any($2)
               and not exists (select 1 from pg_constraint con where con.conname = i.indexname and con.connamespace = (select oid from pg_namespace where nspname = $1))
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            command.Parameters.Add(new NpgsqlParameter { Value = names });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                indexes.Add(($"drop index {reader.GetString(0)}", reader.GetString(1)));
            }
        }

        return new BulkIndexes(keys, indexes, foreignKeys);
    }

    public async Task DropAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        foreach (var (drop, _) in ForeignKeys.Concat(Indexes).Concat(Keys))
        {
            await using var command = new NpgsqlCommand(drop, connection);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task RebuildAsync(NpgsqlConnection connection, Action<string> stage, CancellationToken ct)
    {
        foreach (var (_, create) in Keys.Concat(Indexes).Concat(ForeignKeys))
        {
            stage(create.Length > 90 ? create[..90] + "..." : create);
            await using var command = new NpgsqlCommand(create, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
