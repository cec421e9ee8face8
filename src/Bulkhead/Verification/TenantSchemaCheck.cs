namespace Bulkhead.Verification;

/// <summary>A table in a tenant schema without tenant_id has no row-level security to fall back on; it must be allowlisted with its reason.</summary>
internal static class TenantSchemaCheck
{
    public static async Task RunAsync(Inspection inspection, Allowlist allowlist, CancellationToken ct)
    {
        var tables = await inspection.QueryAsync(
            """
            select n.nspname, c.relname
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind in ('r', 'p', 'f') and n.nspname = any($2) and $1 is not null
               and not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
             order by n.nspname, c.relname
            """,
            r => (Schema: r.GetString(0), Name: r.GetString(1)),
            ct, inspection.Target.TenantSchemas.ToArray());
        foreach (var (schema, name) in tables)
        {
            if (allowlist.ReasonFor(name) is { } reason)
            {
                inspection.Pass(LintRules.TablesWithoutTenant, $"{schema}.{name}", "allowlisted: " + reason);
            }
            else
            {
                inspection.Fail(LintRules.TablesWithoutTenant, $"{schema}.{name}",
                    "has no tenant_id column and is not on the allowlist (src/Bulkhead/Verification/allowlist.txt)");
            }
        }

        if (tables.Count == 0)
        {
            inspection.Pass(LintRules.TablesWithoutTenant, string.Join(", ", inspection.Target.TenantSchemas), "every table has tenant_id");
        }
    }
}
