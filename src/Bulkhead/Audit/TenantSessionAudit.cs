using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Audit;

public static class TenantSessionAudit
{
    /// <summary>The command, made to record its own audit event; unchanged when the session is not audited.</summary>
    public static NpgsqlBatchCommand Audited(this TenantSession session, AuditAction action, string? resourceId, NpgsqlBatchCommand command) =>
        session.Audit?.Record(action, resourceId, command) ?? command;

    /// <summary>An event with the given outcome (see <see cref="AuditRecorder.Event"/>); none when the session is not audited.</summary>
    public static NpgsqlBatchCommand[] Outcome(this TenantSession session, AuditAction action, string? resourceId, AuditOutcome outcome, long? count) =>
        session.Audit is { } audit ? [audit.Event(action, resourceId, outcome, count)] : [];
}
