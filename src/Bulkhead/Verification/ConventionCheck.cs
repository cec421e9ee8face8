using Bulkhead.Storage;

namespace Bulkhead.Verification;

/// <summary>
/// Every table with tenant_id in a tenant schema carries what <see cref="TenantTableRules"/> prescribes beyond
/// row-level security (checked on its own): exactly the runtime role's privileges for its kind, and, outside
/// the audit trail, the write gate that fences it during a move.
/// </summary>
internal static class ConventionCheck
{
    public static async Task RunAsync(Inspection inspection, CancellationToken ct)
    {
        var tables = inspection.Tables.Where(t => inspection.Target.TenantSchemas.Contains(t.Schema)).ToList();
        // Constants of TenantTableRules, not input.
        var privileges = string.Join(", ", TenantTableRules.TablePrivileges.Select(p => $"'{p}'"));
        var state = await inspection.QueryAsync(
            $"""
            select c.oid,
                   exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = '{TenantTableRules.WriteGateTrigger}'),
                   array(select p from unnest(array[{privileges}]) p where has_table_privilege(c.oid, p))
              from pg_class c
             where c.oid::bigint = any($2) and $1 is not null
            """,
            r => (Oid: r.GetFieldValue<uint>(0), Gate: r.GetBoolean(1), Granted: r.GetFieldValue<string[]>(2)),
            ct, tables.Select(t => (long)t.Oid).ToArray());
        foreach (var table in tables)
        {
            var (_, gate, granted) = state.Single(s => s.Oid == table.Oid);
            var wanted = TenantTableRules.RuntimePrivileges(table.Name);
            var problems = new List<string>();
            if (wanted.Except(granted).ToList() is { Count: > 0 } missing)
            {
                problems.Add($"{inspection.Role} lacks {string.Join(", ", missing)}");
            }

            if (granted.Except(wanted).ToList() is { Count: > 0 } extra)
            {
                problems.Add($"{inspection.Role} may also {string.Join(", ", extra)}");
            }

            var behindGate = TenantTableRules.BehindWriteGate(table.Name);
            if (behindGate && !gate)
            {
                problems.Add($"no {TenantTableRules.WriteGateTrigger} trigger: writes are not fenced during a move");
            }

            if (problems.Count > 0)
            {
                inspection.Fail(LintRules.Conventions, table.QualifiedName, string.Join("; ", problems) + " (the migrator applies the rules: ./bulkhead migrate)");
            }
            else
            {
                inspection.Pass(LintRules.Conventions, table.QualifiedName,
                    $"{inspection.Role} may {string.Join(", ", wanted)}{(behindGate ? "; behind the write gate" : "; audit trail, not behind the write gate")}");
            }
        }
    }
}
