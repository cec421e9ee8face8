namespace Bulkhead.Verification;

/// <summary>A table with a tenant_id column, as the catalog describes it.</summary>
internal sealed record TenantTable(uint Oid, string Schema, string Name, short TenantIdAttnum, string TenantIdType, bool TenantIdNotNull, bool RowSecurity, bool ForceRowSecurity)
{
    public string QualifiedName => $"{Schema}.{Name}";

    public string Quoted => $"{Quote(Schema)}.{Quote(Name)}";

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
