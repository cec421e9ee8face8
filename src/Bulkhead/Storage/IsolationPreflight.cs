using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// What the server checks before it serves, connected as the runtime role: that the role cannot bypass
/// row-level security, owns nothing, and that every table with a tenant_id has RLS enabled and forced.
/// </summary>
public static class IsolationPreflight
{
    private const string Query = """
        select 'the runtime role ' || rolname || ' is a superuser' from pg_roles where rolname = current_user and rolsuper
        union all
        select 'the runtime role ' || rolname || ' has BYPASSRLS' from pg_roles where rolname = current_user and rolbypassrls
        union all
        select 'the runtime role owns ' || n.nspname || '.' || c.relname
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.relowner = (select oid from pg_roles where rolname = current_user)
        union all
        select 'table ' || n.nspname || '.' || c.relname || ' has tenant_id but row-level security is not '
               || case when c.relrowsecurity then 'forced' else 'enabled' end
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
         where c.relkind in ('r', 'p') and n.nspname not in ('control', 'pg_catalog', 'information_schema')
           and not (c.relrowsecurity and c.relforcerowsecurity)
        """;

    /// <returns>Every failed check, in words; empty when the server may serve.</returns>
    public static async Task<IReadOnlyList<string>> RunAsync(NpgsqlDataSource runtime, CancellationToken ct)
    {
        await using var command = runtime.CreateCommand(Query);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var failures = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            failures.Add(reader.GetString(0));
        }

        return failures;
    }
}
