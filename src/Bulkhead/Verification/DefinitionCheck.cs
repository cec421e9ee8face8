namespace Bulkhead.Verification;

/// <summary>
/// Views and functions that could read tenant rows with someone else's rights: views must be
/// security_invoker (a definer view runs as its owner, who may bypass RLS); materialized views hold
/// rows outside RLS; SECURITY DEFINER functions are listed, and fail when they sit in a tenant schema
/// or leave search_path open to hijacking.
/// </summary>
internal static class DefinitionCheck
{
    public static async Task RunAsync(Inspection inspection, CancellationToken ct)
    {
        var views = await inspection.QueryAsync(
            $"""
            select n.nspname || '.' || c.relname, c.relkind,
                   exists (select 1 from unnest(coalesce(c.reloptions, array[]::text[])) o
                            where lower(o) in ('security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes')),
                   has_table_privilege(c.oid, 'select')
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind in ('v', 'm') and {Inspection.UserSchemas}
             order by 1
            """,
            r => (Name: r.GetString(0), Kind: r.GetChar(1), Invoker: r.GetBoolean(2), Readable: r.GetBoolean(3)),
            ct);
        foreach (var view in views)
        {
            if (view.Kind == 'm')
            {
                if (view.Readable)
                {
                    inspection.Fail(LintRules.Views, view.Name, $"materialized view readable by {inspection.Role}: its rows are not protected by row-level security");
                }
                else
                {
                    inspection.Pass(LintRules.Views, view.Name, $"materialized view, not readable by {inspection.Role}");
                }
            }
            else if (view.Invoker)
            {
                inspection.Pass(LintRules.Views, view.Name, "security_invoker");
            }
            else
            {
                inspection.Fail(LintRules.Views, view.Name, "view is not security_invoker: it reads with its owner's rights, not the caller's");
            }
        }

        if (views.Count == 0)
        {
            inspection.Pass(LintRules.Views, "(no views)", "no views or materialized views");
        }

        var functions = await inspection.QueryAsync(
            $"""
            select n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                   (select substr(s, 13) from unnest(p.proconfig) s where s like 'search_path=%')
              from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where p.prosecdef and {Inspection.UserSchemas}
               and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
             order by 1, 2
            """,
            r => (Schema: r.GetString(0), Signature: r.GetString(1), SearchPath: r.IsDBNull(2) ? null : r.GetString(2)),
            ct);
        foreach (var function in functions)
        {
            var name = $"{function.Schema}.{function.Signature}";
            var listed = $"SECURITY DEFINER in schema {function.Schema}, search_path {(function.SearchPath is null ? "not set" : "'" + function.SearchPath + "'")}";
            var pinned = function.SearchPath is "\"\"" or "''" or "";
            var tenantSchema = inspection.Target.TenantSchemas.Contains(function.Schema) || function.Schema == "public";
            if (pinned && !tenantSchema)
            {
                inspection.Pass(LintRules.DefinerFunctions, name, listed);
            }
            else
            {
                inspection.Fail(LintRules.DefinerFunctions, name,
                    listed + (tenantSchema ? "; must live in a private schema" : "") + (pinned ? "" : "; must pin search_path to ''"));
            }
        }

        if (functions.Count == 0)
        {
            inspection.Pass(LintRules.DefinerFunctions, "(no functions)", "no SECURITY DEFINER functions");
        }
    }
}
