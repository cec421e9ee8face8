namespace Bulkhead.Verification;

/// <summary>
/// Keys and indexes of tenant tables carry tenant_id: a key without it lets one tenant's row collide
/// with, or point at, another tenant's; an index that does not lead with it scans across tenants.
/// </summary>
internal static class KeyCheck
{
    public static async Task RunAsync(Inspection inspection, CancellationToken ct)
    {
        var oids = inspection.Tables.Select(t => (long)t.Oid).ToArray();
        var constraints = await inspection.QueryAsync(
            """
            select con.conrelid, con.conname, con.contype,
                   array(select a.attname from unnest(con.conkey) with ordinality k(attnum, i)
                         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.i)::text[],
                   array(select a.attname from unnest(con.confkey) with ordinality k(attnum, i)
                         join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.i)::text[],
                   coalesce(con.confrelid::regclass::text, '')
              from pg_constraint con
             where con.conrelid::bigint = any($2) and con.contype in ('p', 'u', 'f', 'x') and $1 is not null
             order by con.conname
            """,
            r => new Constraint(r.GetFieldValue<uint>(0), r.GetString(1), r.GetChar(2), r.GetFieldValue<string[]>(3), r.GetFieldValue<string[]>(4), r.GetString(5)),
            ct, oids);
        var indexes = await inspection.QueryAsync(
            """
            select i.indrelid, x.relname, i.indkey[0]
              from pg_index i join pg_class x on x.oid = i.indexrelid
             where i.indrelid::bigint = any($2) and $1 is not null
             order by x.relname
            """,
            r => (Table: r.GetFieldValue<uint>(0), Name: r.GetString(1), Leading: r.GetInt16(2)),
            ct, oids);

        foreach (var table in inspection.Tables)
        {
            var own = constraints.Where(c => c.Table == table.Oid).ToList();
            var failures = own.Select(Problem).OfType<string>().ToList();
            if (!own.Any(c => c.Kind == 'p'))
            {
                failures.Insert(0, "no primary key");
            }

            if (failures.Count > 0)
            {
                inspection.Fail(LintRules.Keys, table.QualifiedName, string.Join("; ", failures));
            }
            else
            {
                inspection.Pass(LintRules.Keys, table.QualifiedName, $"{own.Count} key constraint(s), each including tenant_id");
            }

            var wrong = indexes.Where(i => i.Table == table.Oid && i.Leading != table.TenantIdAttnum).Select(i => i.Name).ToList();
            if (wrong.Count > 0)
            {
                inspection.Fail(LintRules.Indexes, table.QualifiedName, $"index {string.Join(", ", wrong)} does not lead with tenant_id");
            }
            else
            {
                inspection.Pass(LintRules.Indexes, table.QualifiedName, $"{indexes.Count(i => i.Table == table.Oid)} index(es), each leading with tenant_id");
            }
        }
    }

    private static string? Problem(Constraint c)
    {
        var at = Array.IndexOf(c.Columns, "tenant_id");
        var kind = c.Kind switch { 'p' => "primary key", 'u' => "unique constraint", 'x' => "exclusion constraint", _ => "foreign key" };
        if (at < 0)
        {
            return $"{kind} {c.Name} ({string.Join(", ", c.Columns)}) does not include tenant_id";
        }

        // A foreign key must match tenant_id to the referenced tenant_id, or it can point across tenants.
        if (c.Kind == 'f' && (at >= c.Referenced.Length || c.Referenced[at] != "tenant_id"))
        {
            return $"foreign key {c.Name} maps tenant_id to {c.ReferencedTable}({string.Join(", ", c.Referenced)}), not to its tenant_id";
        }

        return null;
    }

    private sealed record Constraint(uint Table, string Name, char Kind, string[] Columns, string[] Referenced, string ReferencedTable);
}
