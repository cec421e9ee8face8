namespace Bulkhead.Storage;

/// <summary>
/// What every table with tenant_id in a placement schema carries, whichever migration created it: row-level
/// security enabled and forced, the fail-closed policy for all commands, the runtime role's privileges, and
/// the write gate. The migrator applies these after the migrations run (<see cref="TenantTableConventions"/>);
/// the catalog lint checks the result. Migrations hold tables, indexes and data only.
/// </summary>
public static class TenantTableRules
{
    /// <summary>The runtime role: bound by row-level security, owns nothing.</summary>
    public const string RuntimeRole = "bulkhead_app";

    public const string PolicyName = "tenant_isolation";

    public const string WriteGateTrigger = "tenant_write_gate";

    /// <summary>The current tenant, read once per statement (an InitPlan), not once per row; no setting, no rows.</summary>
    public const string CurrentTenant = "(select nullif(current_setting('app.tenant_id', true), '')::uuid)";

    /// <summary>The one audit table the runtime role may delete from: erasure removes client addresses there.</summary>
    public const string ErasableTrailTable = "audit_client_addresses";

    public const string FenceTable = "placement_fences";

    public static readonly IReadOnlyList<string> TablePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"];

    /// <summary>The audit trail: reads write events into it, so it is never behind the write gate and keeps answering through a move.</summary>
    public static bool IsTrail(string table) => table.StartsWith("audit_", StringComparison.Ordinal);

    public static bool BehindWriteGate(string table) => !IsTrail(table);

    /// <summary>Exactly what the runtime role may do with a tenant table; every other table privilege is revoked.</summary>
    public static IReadOnlyList<string> RuntimePrivileges(string table) => table switch
    {
        // Set by the owner (moves, offboarding); a request only reads it.
        FenceTable => ["SELECT"],
        // Not sealed (sealed events hold commitments to the addresses), so erasure can delete a row and every
        // seal still verifies; an address can never be replaced unseen.
        ErasableTrailTable => ["SELECT", "INSERT", "DELETE"],
        // Append-only for the runtime role: it can change nothing already written.
        _ when IsTrail(table) => ["SELECT", "INSERT"],
        _ => ["SELECT", "INSERT", "UPDATE", "DELETE"],
    };
}
