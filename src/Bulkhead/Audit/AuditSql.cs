using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// The SQL that appends one event to a tenant's chain: the previous event's seq and hash are read and
/// the new hash computed in the same statement, so an audited read costs no extra round trip. Callers
/// must hold the tenant's audit lock (<see cref="LockSql"/>) from an earlier statement of the same
/// transaction: a READ COMMITTED statement's snapshot is taken when it starts, so a lock taken inside
/// it would not make the newest event visible.
/// </summary>
public static class AuditSql
{
    /// <summary>Serialises one tenant's audit writers; other tenants never wait. $1 is the tenant id as text.</summary>
    public const string LockSql = "pg_advisory_xact_lock(hashtext('bulkhead.audit'), hashtext($1))";

    private static readonly string[] Columns =
    [
        "tenant_id", "id", "seq", "occurred_at", "sub", "role", "token_id", "action", "resource_type", "resource_id",
        "status", "result_count", "request_id", "client_address",
    ];

    // The hashed bytes: each field as text, length-prefixed (int4, big-endian) or ffffffff for null, in
    // the order of Columns; occurred_at as microseconds since the Unix epoch. AuditChain mirrors this.
    private static readonly string HashExpression =
        "sha256(coalesce(e.prev_hash, '\\x'::bytea) || " + string.Join(" || ", Columns.Select(c => Field(c == "occurred_at"
            ? "(extract(epoch from e.occurred_at) * 1000000)::bigint::text"
            : $"e.{c}::text"))) + ")";

    /// <summary>
    /// An insert of one event whose parameters start at <paramref name="first"/> (see <see cref="Arguments"/>).
    /// <paramref name="status"/> and <paramref name="count"/> are SQL expressions (null for unknown).
    /// </summary>
    public static string Insert(int first, string status, string count)
    {
        string P(int i) => "$" + (first + i);
        return $"""
            insert into audit_events ({string.Join(", ", Columns)}, prev_hash, hash)
            select e.*, {HashExpression}
              from (select {P(0)}::uuid as tenant_id, {P(1)}::uuid as id, coalesce(p.seq, 0) + 1 as seq, statement_timestamp() as occurred_at,
                           {P(2)}::text as sub, {P(3)}::text as role, {P(4)}::text as token_id, {P(5)}::text as action,
                           {P(6)}::text as resource_type, {P(7)}::text as resource_id, ({status})::integer as status, ({count})::bigint as result_count,
                           {P(8)}::text as request_id, {P(9)}::text as client_address, p.hash as prev_hash
                      from (select 1) one
                      left join lateral (select a.seq, a.hash from audit_events a where a.tenant_id = {P(0)}::uuid order by a.seq desc limit 1) p on true) e
            """;
    }

    public static object?[] Arguments(Guid tenantId, AuditActor actor, string action, string? resourceType, string? resourceId) =>
    [
        tenantId, Guid.CreateVersion7(), actor.Sub, actor.Role, actor.TokenId, action, resourceType, resourceId, actor.RequestId, actor.ClientAddress,
    ];

    /// <summary>The event for a batch that no statement audited itself: the request's action, outcome unknown.</summary>
    public static NpgsqlBatchCommand Generic(Guid tenantId, AuditActor actor) =>
        Sql.Command(Insert(1, "null", "null"), Arguments(tenantId, actor, actor.Action, actor.ResourceType, actor.ResourceId));

    /// <summary>
    /// Wraps a statement so that it records its own event: the statement becomes a CTE, the event counts
    /// its rows, and the final select depends on the insert, so the event is written before the first row
    /// is sent. If the insert fails, the statement fails and nothing is served.
    /// </summary>
    public static NpgsqlBatchCommand Wrap(NpgsqlBatchCommand command, Guid tenantId, AuditActor actor, AuditEntry entry)
    {
        var found = entry.FoundSql ?? "exists (select 1 from r)";
        var status = entry.MissIsNotFound ? $"case when {found} then {entry.Status} else 404 end" : entry.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sql = $"""
            with r as (
            {command.CommandText}
            ), a as (
            {Insert(command.Parameters.Count + 1, status, entry.CountSql ?? "(select count(*) from r)")}
            returning 1
            )
            select r.* from r where (select count(*) from a) = 1
            """;
        var wrapped = new NpgsqlBatchCommand(sql);
        foreach (NpgsqlParameter parameter in command.Parameters)
        {
            wrapped.Parameters.Add(parameter.Clone());
        }

        foreach (var arg in Arguments(tenantId, actor, entry.Action, entry.ResourceType, entry.ResourceId))
        {
            wrapped.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return wrapped;
    }

    private static string Field(string text) =>
        $"(case when {text} is null then '\\xffffffff'::bytea else int4send(octet_length(convert_to({text}, 'UTF8'))) || convert_to({text}, 'UTF8') end)";
}
