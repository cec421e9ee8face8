using Npgsql;

namespace Bulkhead.Tests.Isolation;

/// <summary>
/// A fingerprint of every tenant's rows in every table with tenant_id, read as the owner role (which
/// bypasses row-level security): what the fuzzer and the bad-input corpus compare to prove that no
/// request wrote or changed a row under a tenant it should not have touched.
/// </summary>
public sealed class TenantSnapshot
{
    private readonly Dictionary<(string Table, Guid Tenant), string> _hashes;

    private TenantSnapshot(Dictionary<(string Table, Guid Tenant), string> hashes) => _hashes = hashes;

    /// <summary>Every table and tenant whose rows differ, except the tenants allowed to change.</summary>
    public IEnumerable<string> ChangesSince(TenantSnapshot before, IReadOnlySet<Guid> allowed, IReadOnlySet<Guid> known) =>
        ChangesSince(before, tenant => !allowed.Contains(tenant), known);

    public IEnumerable<string> ChangesSince(TenantSnapshot before, Func<Guid, bool> watched, IReadOnlySet<Guid> known)
    {
        foreach (var key in _hashes.Keys.Union(before._hashes.Keys).Where(k => watched(k.Tenant)))
        {
            var was = before._hashes.GetValueOrDefault(key);
            var now = _hashes.GetValueOrDefault(key);
            if (was != now)
            {
                yield return $"rows of {(known.Contains(key.Tenant) ? "tenant" : "UNKNOWN tenant")} {key.Tenant} in {key.Table} {(was is null ? "appeared" : now is null ? "vanished" : "changed")}";
            }
        }
    }

    /// <summary>Takes snapshots of the databases that hold tenant rows (the control-plane database and each database placement's), one round trip per database.</summary>
    public sealed class Reader
    {
        private readonly List<(string Database, NpgsqlDataSource Owner, string Sql)> _queries;

        private Reader(List<(string, NpgsqlDataSource, string)> queries) => _queries = queries;

        public static async Task<Reader> CreateAsync(IReadOnlyList<NpgsqlDataSource> owners)
        {
            var queries = new List<(string, NpgsqlDataSource, string)>();
            foreach (var owner in owners)
            {
                var builder = new NpgsqlConnectionStringBuilder(owner.ConnectionString);
                var tables = new List<string>();
                await using var list = owner.CreateCommand("""
                    select format('%I.%I', n.nspname, c.relname)
                      from pg_class c join pg_namespace n on n.oid = c.relnamespace
                      join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
                     where c.relkind in ('r', 'p') and n.nspname !~ '^pg_' and n.nspname not in ('control', 'information_schema')
                       -- The audit sealer's blocks and seals change in the background for every tenant; no request writes them.
                       and c.relname not in ('audit_blocks', 'audit_seals')
                     order by 1
                    """);
                await using var reader = await list.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }

                if (tables.Count > 0)
                {
                    queries.Add(($"{builder.Host}:{builder.Port}/{builder.Database}", owner, string.Join(" union all ", tables.Select(table =>
                        $"select '{table.Replace("'", "''", StringComparison.Ordinal)}', tenant_id, md5(string_agg(t::text, '|' order by t::text)) from {table} t group by tenant_id"))));
                }
            }

            return new Reader(queries);
        }

        public async Task<TenantSnapshot> TakeAsync()
        {
            var hashes = new Dictionary<(string, Guid), string>();
            foreach (var (database, owner, sql) in _queries)
            {
                await using var command = owner.CreateCommand(sql);
                await using var rows = await command.ExecuteReaderAsync();
                while (await rows.ReadAsync())
                {
                    hashes[($"{database} {rows.GetString(0)}", rows.GetGuid(1))] = rows.GetString(2);
                }
            }

            return new TenantSnapshot(hashes);
        }
    }
}
