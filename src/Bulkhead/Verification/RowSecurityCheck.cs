using System.Text.RegularExpressions;
using Bulkhead.Storage;

namespace Bulkhead.Verification;

/// <summary>
/// Row-level security on every table with tenant_id: enabled, forced, and every permissive policy
/// bound to app.tenant_id. Permissive policies are OR-ed, so a single extra <c>USING (true)</c> opens
/// the table; restrictive ones are AND-ed and can only narrow it, so they are not judged here.
/// </summary>
internal static partial class RowSecurityCheck
{
    // PostgreSQL's own rendering of the policy expression DESIGN.md prescribes, whitespace removed.
    private const string Canonical =
        "(tenant_id=(select(nullif(current_setting('app.tenant_id'::text,true),''::text))::uuidas\"nullif\"))";

    private static readonly (char Code, string Name)[] Commands = [('r', "SELECT"), ('a', "INSERT"), ('w', "UPDATE"), ('d', "DELETE")];

    public static async Task RunAsync(Inspection inspection, CancellationToken ct)
    {
        var policies = await inspection.QueryAsync(
            $"""
            select p.polrelid, p.polname, p.polcmd, p.polpermissive,
                   pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
              from pg_policy p
              join pg_class c on c.oid = p.polrelid
              join pg_namespace n on n.oid = c.relnamespace
             where {Inspection.UserSchemas}
             order by p.polname
            """,
            r => new Policy(r.GetFieldValue<uint>(0), r.GetString(1), r.GetChar(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)),
            ct);

        foreach (var table in inspection.Tables)
        {
            CheckColumn(inspection, table);
            CheckEnabled(inspection, table);
            var own = policies.Where(p => p.Table == table.Oid && p.Permissive).ToList();
            CheckPolicies(inspection, table, own);
            CheckCoverage(inspection, table, own);
        }

        await CheckFailsClosedAsync(inspection, ct);
    }

    private static void CheckColumn(Inspection inspection, TenantTable table)
    {
        if (table.TenantIdType == "uuid" && table.TenantIdNotNull)
        {
            inspection.Pass(LintRules.TenantIdColumn, table.QualifiedName, "tenant_id uuid not null");
        }
        else
        {
            inspection.Fail(LintRules.TenantIdColumn, table.QualifiedName,
                $"tenant_id is {table.TenantIdType}{(table.TenantIdNotNull ? " not null" : ", nullable")}; it must be uuid not null");
        }
    }

    private static void CheckEnabled(Inspection inspection, TenantTable table)
    {
        if (table.RowSecurity && table.ForceRowSecurity)
        {
            inspection.Pass(LintRules.RowSecurity, table.QualifiedName, "row-level security enabled and forced");
        }
        else
        {
            inspection.Fail(LintRules.RowSecurity, table.QualifiedName,
                table.RowSecurity ? "row-level security is enabled but not forced: the table owner bypasses it" : "row-level security is not enabled");
        }
    }

    private static void CheckPolicies(Inspection inspection, TenantTable table, List<Policy> permissive)
    {
        var failures = new List<string>();
        foreach (var policy in permissive)
        {
            if (policy.Using is { } expression && !IsBound(expression))
            {
                failures.Add($"policy \"{policy.Name}\" ({policy.CommandName}) USING {expression} is not bound to app.tenant_id");
            }

            if (policy.Check is { } check && !IsBound(check))
            {
                failures.Add($"policy \"{policy.Name}\" ({policy.CommandName}) WITH CHECK {check} is not bound to app.tenant_id");
            }
        }

        if (failures.Count > 0)
        {
            inspection.Fail(LintRules.Policies, table.QualifiedName, string.Join("; ", failures));
        }
        else
        {
            inspection.Pass(LintRules.Policies, table.QualifiedName,
                $"{permissive.Count} permissive polic{(permissive.Count == 1 ? "y" : "ies")}, each bound to app.tenant_id for reads and writes");
        }
    }

    private static void CheckCoverage(Inspection inspection, TenantTable table, List<Policy> permissive)
    {
        var missing = Commands
            .Where(c => !permissive.Any(p => p.Command == '*' || p.Command == c.Code))
            .Select(c => c.Name)
            .ToList();
        if (missing.Count == 0)
        {
            inspection.Pass(LintRules.PolicyCoverage, table.QualifiedName, "SELECT, INSERT, UPDATE and DELETE are covered");
        }
        else
        {
            inspection.Fail(LintRules.PolicyCoverage, table.QualifiedName, $"no permissive policy for {string.Join(", ", missing)}");
        }
    }

    /// <summary>
    /// The behavioural half: as the role under test, a table must look empty with an empty tenant
    /// context and with a tenant id that exists nowhere. It catches what reading policies cannot,
    /// such as a role that bypasses row-level security.
    /// </summary>
    private static async Task CheckFailsClosedAsync(Inspection inspection, CancellationToken ct)
    {
        var readable = await inspection.QueryAsync(
            "select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace " +
            "where c.oid::bigint = any($2) and has_table_privilege(c.oid, 'select') and has_schema_privilege(n.oid, 'usage') and $1 is not null",
            r => r.GetFieldValue<uint>(0), ct, inspection.Tables.Select(t => (long)t.Oid).ToArray());
        foreach (var table in inspection.Tables)
        {
            if (!readable.Contains(table.Oid))
            {
                inspection.Pass(LintRules.FailsClosed, table.QualifiedName, $"{inspection.Role} cannot read it at all");
                continue;
            }

            var leaks = new List<string>();
            foreach (var (context, label) in new[] { ("", "without a tenant context"), (Guid.NewGuid().ToString(), "for a tenant that does not exist") })
            {
                // An error (say, a policy that casts an empty setting) also shows no rows: it fails closed.
                var (visible, _) = await inspection.TryBatchScalarAsync(ct,
                    Sql.Command("select set_config('app.tenant_id', $1, true)", context),
                    Sql.Command($"select exists (select 1 from {table.Quoted})"));
                if (visible is true)
                {
                    leaks.Add($"{inspection.Role} sees rows {label}");
                }
            }

            if (leaks.Count > 0)
            {
                inspection.Fail(LintRules.FailsClosed, table.QualifiedName, string.Join("; ", leaks));
            }
            else
            {
                inspection.Pass(LintRules.FailsClosed, table.QualifiedName, $"{inspection.Role} sees no rows without a tenant context or for an unknown tenant");
            }
        }
    }

    /// <summary>
    /// The canonical expression, or that expression AND-ed with further conditions (which can only
    /// narrow it). PostgreSQL renders expressions fully parenthesised, so a prefix test is exact.
    /// </summary>
    internal static bool IsBound(string expression)
    {
        var compact = Whitespace().Replace(expression, "").ToLowerInvariant();
        return compact == Canonical || compact.StartsWith("(" + Canonical + "and", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private sealed record Policy(uint Table, string Name, char Command, bool Permissive, string? Using, string? Check)
    {
        public string CommandName => Command switch
        {
            'r' => "SELECT",
            'a' => "INSERT",
            'w' => "UPDATE",
            'd' => "DELETE",
            _ => "ALL",
        };
    }
}
