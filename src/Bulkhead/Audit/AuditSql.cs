using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// The insert of one plain event and its client address: no lock, no hash, nothing read from earlier events.
/// The event's id comes from the server (UUIDv7); <c>occurred_at</c> and <c>xid</c> (the writing transaction,
/// which the sealer orders by) are column defaults. The event holds a commitment to the address, the address
/// itself goes to <c>audit_client_addresses</c> (see <see cref="ClientAddressCommitment"/>).
/// </summary>
internal static class AuditSql
{
    private const string Columns =
        "tenant_id, id, sub, role, token_id, action, resource_type, resource_id, request_id, client_address, outcome, result_count";

    private const int EventArguments = 10;

    /// <summary>
    /// The CTEs <c>p</c> (the address) and <c>a</c> (the event, returning one row), with their parameters
    /// numbered from <paramref name="first"/>; <paramref name="outcome"/> and <paramref name="count"/> are SQL
    /// expressions (<c>null</c> for unknown).
    /// </summary>
    public static string Ctes(int first, string outcome, string count) =>
        $"{Address(first)}, a as (\n{Event(first, outcome, count)} returning 1\n)";

    /// <summary>The same as one statement of its own, which returns no rows.</summary>
    public static string Statement(int first, string outcome, string count) =>
        $"with {Address(first)}\n{Event(first, outcome, count)}";

    public static void AddArguments(NpgsqlParameterCollection parameters, Guid tenantId, AuditActor actor, string action, string? resourceType, string? resourceId)
    {
        byte[]? salt = null;
        string? commitment = null;
        if (actor.ClientAddress is { } address)
        {
            (salt, commitment) = ClientAddressCommitment.For(tenantId, actor.Sub, actor.TokenId, address, DateOnly.FromDateTime(DateTime.UtcNow));
        }
        object?[] values =
        [
            tenantId, Guid.CreateVersion7(), actor.Sub, actor.Role, actor.TokenId, action, resourceType, resourceId, actor.RequestId, commitment,
            salt, actor.ClientAddress,
        ];
        foreach (var value in values)
        {
            parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
    }

    private static string Address(int first) => $"""
        p as (
        insert into audit_client_addresses (tenant_id, commitment, salt, address)
        select ${first}, ${first + EventArguments - 1}::text, ${first + EventArguments}::bytea, ${first + EventArguments + 1}::text
         where ${first + EventArguments + 1}::text is not null
        on conflict do nothing
        )
        """;

    private static string Event(int first, string outcome, string count) =>
        $"insert into audit_events ({Columns}) values ({string.Join(", ", Enumerable.Range(first, EventArguments).Select(i => "$" + i))}, {outcome}, {count})";
}
