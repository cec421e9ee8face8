using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// The insert of one plain event: no lock, no hash, nothing read from earlier events. The event's id comes
/// from the server (UUIDv7); <c>occurred_at</c> and <c>xid</c> (the writing transaction, which the sealer
/// orders by) are column defaults.
/// </summary>
internal static class AuditSql
{
    private const string Columns =
        "tenant_id, id, sub, role, token_id, action, resource_type, resource_id, request_id, client_address, outcome, result_count";

    private const int Arguments = 10;

    /// <summary>
    /// The insert, with its parameters numbered from <paramref name="first"/>; <paramref name="outcome"/>
    /// and <paramref name="count"/> are SQL expressions (<c>null</c> for unknown).
    /// </summary>
    public static string Insert(int first, string outcome, string count) =>
        $"insert into audit_events ({Columns}) values ({string.Join(", ", Enumerable.Range(first, Arguments).Select(i => "$" + i))}, {outcome}, {count})";

    public static void AddArguments(NpgsqlParameterCollection parameters, Guid tenantId, AuditActor actor, string action, string? resourceType, string? resourceId)
    {
        object?[] values =
        [
            tenantId, Guid.CreateVersion7(), actor.Sub, actor.Role, actor.TokenId, action, resourceType, resourceId, actor.RequestId, actor.ClientAddress,
        ];
        foreach (var value in values)
        {
            parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
    }
}
