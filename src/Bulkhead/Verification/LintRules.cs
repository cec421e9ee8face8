namespace Bulkhead.Verification;

/// <summary>The rules of the catalog lint, by the names reports and tests use.</summary>
public static class LintRules
{
    public const string Reachable = "placement-reachable";
    public const string TenantIdColumn = "tenant-id-column";
    public const string RowSecurity = "rls-enabled-and-forced";
    public const string Policies = "policies-bound-to-tenant";
    public const string PolicyCoverage = "policies-cover-every-command";
    public const string FailsClosed = "no-rows-without-tenant-context";
    public const string Conventions = "tenant-tables-follow-conventions";
    public const string TablesWithoutTenant = "tenant-schema-tables-have-tenant-id";
    public const string RuntimeRole = "runtime-role-privileges";
    public const string Keys = "keys-include-tenant-id";
    public const string Indexes = "indexes-lead-with-tenant-id";
    public const string Views = "views-security-invoker";
    public const string DefinerFunctions = "security-definer-functions";

    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        [Reachable] = "every placement's database can be reached and inspected",
        [TenantIdColumn] = "tenant_id is uuid not null",
        [RowSecurity] = "every table with tenant_id has row-level security enabled and forced",
        [Policies] = "every permissive policy on a tenant table reads and writes only rows of app.tenant_id, and none when it is unset",
        [PolicyCoverage] = "permissive policies cover SELECT, INSERT, UPDATE and DELETE",
        [FailsClosed] = "as the runtime role, a tenant table shows no rows without a tenant context or for an unknown tenant",
        [Conventions] = "every tenant table in a tenant schema grants the runtime role exactly what its kind prescribes and, outside the audit trail, has the write gate",
        [TablesWithoutTenant] = "a table in a tenant schema without tenant_id is on the allowlist, with its reason",
        [RuntimeRole] = "the runtime role is not superuser, cannot bypass RLS, owns nothing, creates nothing, and cannot rewrite audit rows",
        [Keys] = "primary keys, unique constraints and foreign keys include tenant_id",
        [Indexes] = "every index on a tenant table leads with tenant_id",
        [Views] = "views run with the caller's rights (security_invoker); no materialized view the runtime role can read",
        [DefinerFunctions] = "SECURITY DEFINER functions live outside tenant schemas and pin search_path to ''",
    };
}
