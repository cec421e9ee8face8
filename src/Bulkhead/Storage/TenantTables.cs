using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// The tables of a placement schema that hold tenant rows, found in the catalog (so tables added by a
/// later migration are included without edits), ordered parents first by their foreign keys. The
/// placement fence is left out: it is not tenant content, moves do not copy it and purges keep it.
/// </summary>
public static class TenantTables
{
    public static async Task<IReadOnlyList<string>> ListAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var tables = new List<string>();
        var parents = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            select c.relname,
                   coalesce(array_agg(distinct p.relname) filter (where p.relname is not null and p.oid <> c.oid), '{}')
              from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
              join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
              left join pg_constraint f on f.conrelid = c.oid and f.contype = 'f'
              left join pg_class p on p.oid = f.confrelid
             where n.nspname = $1 and c.relkind in ('r', 'p') and c.relname <> 'placement_fences'
             group by c.relname
             order by c.relname
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
                parents[reader.GetString(0)] = [.. reader.GetFieldValue<string[]>(1)];
            }
        }

        var ordered = new List<string>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < tables.Count)
        {
            var next = tables.FirstOrDefault(t => !placed.Contains(t) && parents[t].All(p => placed.Contains(p) || !parents.ContainsKey(p)))
                ?? throw new InvalidOperationException($"Foreign keys between tenant tables of {schema} form a cycle.");
            ordered.Add(next);
            placed.Add(next);
        }

        return ordered;
    }
}
