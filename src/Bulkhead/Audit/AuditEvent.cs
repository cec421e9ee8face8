namespace Bulkhead.Audit;

/// <summary>One stored audit event, as written by <see cref="AuditSql"/>.</summary>
public sealed record AuditEvent(
    Guid TenantId,
    Guid Id,
    long Seq,
    DateTimeOffset OccurredAt,
    string Sub,
    string Role,
    string? TokenId,
    string Action,
    string? ResourceType,
    string? ResourceId,
    int? Status,
    long? ResultCount,
    string? RequestId,
    string? ClientAddress,
    byte[]? PrevHash,
    byte[] Hash)
{
    public const string Columns =
        "tenant_id, id, seq, occurred_at, sub, role, token_id, action, resource_type, resource_id, status, result_count, request_id, client_address, prev_hash, hash";

    public static AuditEvent Read(Npgsql.NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), r.GetInt64(2), r.GetFieldValue<DateTimeOffset>(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
        r.IsDBNull(10) ? null : r.GetInt32(10), r.IsDBNull(11) ? null : r.GetInt64(11), r.IsDBNull(12) ? null : r.GetString(12),
        r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetFieldValue<byte[]>(14), r.GetFieldValue<byte[]>(15));
}
