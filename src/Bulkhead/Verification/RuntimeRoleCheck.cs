namespace Bulkhead.Verification;

/// <summary>
/// The role under test (the runtime role) must be bound by row-level security in every way it could
/// escape it: superuser, BYPASSRLS (its own or a role it can become), owning a table (an owner can
/// disable RLS), creating objects (temporary ones included: pg_temp is searched first), switching triggers off
/// (session_replication_role), or rewriting the audit trail.
/// </summary>
internal static class RuntimeRoleCheck
{
    public static async Task RunAsync(Inspection inspection, CancellationToken ct)
    {
        var problems = await inspection.QueryAsync(
            $"""
            select 'is a superuser' from pg_roles where rolname = current_user and rolsuper
            union all
            select 'has BYPASSRLS' from pg_roles where rolname = current_user and rolbypassrls
            union all
            select 'can become ' || r.rolname || ', which ' || case when r.rolsuper then 'is a superuser' else 'has BYPASSRLS' end
              from pg_roles r
             where r.rolname <> current_user and pg_has_role(current_user, r.oid, 'MEMBER') and (r.rolsuper or r.rolbypassrls)
            union all
            select 'owns the database ' || current_database() from pg_database where datname = current_database() and datdba = (select oid from pg_roles where rolname = current_user)
            union all
            select 'owns ' || case c.relkind when 'v' then 'view ' when 'S' then 'sequence ' when 'i' then 'index ' else 'table ' end || n.nspname || '.' || c.relname
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relowner = (select oid from pg_roles where rolname = current_user) and {Inspection.UserSchemas}
            union all
            select 'owns schema ' || n.nspname from pg_namespace n
             where n.nspowner = (select oid from pg_roles where rolname = current_user)
            union all
            select 'owns function ' || n.nspname || '.' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where p.proowner = (select oid from pg_roles where rolname = current_user)
            union all
            select 'can create objects in schema ' || n.nspname from pg_namespace n
             where {Inspection.UserSchemas} and has_schema_privilege(n.oid, 'CREATE')
            union all
            select 'can create temporary tables in ' || current_database() where has_database_privilege(current_database(), 'TEMPORARY')
            union all
            select 'can set session_replication_role (and so skip every trigger: the write gate, the fence, foreign keys)' where has_parameter_privilege('session_replication_role', 'SET')
            union all
            select 'can ' || lower(priv) || ' the audit table ' || n.nspname || '.' || c.relname
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             cross join unnest(array['UPDATE', 'DELETE', 'TRUNCATE']) priv
             where c.relkind in ('r', 'p') and c.relname ~ 'audit' and {Inspection.UserSchemas} and has_table_privilege(c.oid, priv)
               and not (c.relname = '{Storage.TenantTableRules.ErasableTrailTable}' and priv = 'DELETE')
            """,
            r => r.GetString(0), ct);
        var subject = "role " + inspection.Role;
        if (problems.Count > 0)
        {
            inspection.Fail(LintRules.RuntimeRole, subject, string.Join("; ", problems));
        }
        else
        {
            inspection.Pass(LintRules.RuntimeRole, subject,
                "not superuser, no BYPASSRLS (nor any role it can become), owns nothing, creates nothing (not even temporary tables), cannot switch triggers off, cannot update, delete or truncate audit tables (except delete client addresses, for erasure)");
        }
    }
}
