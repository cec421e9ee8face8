using Bulkhead.Audit;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Compliance;

/// <summary>
/// A data subject's rights over the session tenant's data: export (Art. 15, 20) and erasure (Art. 17). Both
/// are one batch (one transaction) and audited; the erasure's event names the user id and counts, never
/// content, and sealed events are never rewritten, so the trail (and its seals) stay whole.
/// </summary>
public sealed class UserDataStore(TenantSession session, TimeProvider time)
{
    // The user's sub ($1 tenant, $2 user id): usage, keys, configuration history and the trail name users by it.
    private const string Sub = "(select u.sub from users u where u.tenant_id = $1 and u.id = $2)";

    /// <returns>The export, or null when the tenant has no such user.</returns>
    public async Task<UserExport?> ExportAsync(Guid userId, CancellationToken ct)
    {
        var tenant = session.TenantId;
        await using var reader = await session.ReadAsync(ct,
            session.Audited(
                AuditActions.UserExport, userId.ToString(),
                Sql.Command("select id, sub, created_at from users where tenant_id = $1 and id = $2", tenant, userId)),
            Sql.Command(
                "select id, title, created_at, updated_at from conversations where tenant_id = $1 and user_id = $2 order by id", tenant, userId),
            Sql.Command(
                "select m.conversation_id, m.id, m.role, m.content, m.status, m.model, m.created_at from messages m " +
                "join conversations c on c.tenant_id = m.tenant_id and c.id = m.conversation_id " +
                "where m.tenant_id = $1 and c.tenant_id = $1 and c.user_id = $2 order by m.conversation_id, m.id",
                tenant, userId),
            Sql.Command(
                "select id, model, source, conversation_id, message_id, prompt_tokens, completion_tokens, complete, created_at " +
                "from chat_usage where tenant_id = $1 and user_id = $2 order by id", tenant, userId),
            Sql.Command(
                "select id, month, model, reserved_tokens, used_tokens, state, created_at, settled_at " +
                $"from token_ledger where tenant_id = $1 and sub = {Sub} order by id", tenant, userId),
            Sql.Command(
                "select e.id, e.occurred_at, e.role, e.token_id, e.action, e.resource_type, e.resource_id, e.outcome, e.result_count, e.request_id, " +
                $"{ClientAddressCommitment.Resolved} from audit_events e {ClientAddressCommitment.Join} " +
                $"where e.tenant_id = $1 and e.sub = {Sub} order by e.id", tenant, userId),
            Sql.Command(
                $"select id, name, hint, created_at, revoked_at from api_keys where tenant_id = $1 and created_by = {Sub} order by id", tenant, userId),
            Sql.Command(
                $"select id, provider_key_change, created_at from tenant_config where tenant_id = $1 and changed_by = {Sub} order by id", tenant, userId));
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var user = new ExportedUser(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
        var conversations = await RowsAsync(reader, r => (
            Id: r.GetGuid(0), Title: r.GetString(1), Created: r.GetFieldValue<DateTimeOffset>(2), Updated: r.GetFieldValue<DateTimeOffset>(3)), ct);
        var messages = (await RowsAsync(reader, r => (Conversation: r.GetGuid(0), Message: new ExportedMessage(
                r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), Text(r, 5), r.GetFieldValue<DateTimeOffset>(6))), ct))
            .ToLookup(m => m.Conversation, m => m.Message);
        var usage = await RowsAsync(reader, r => new ExportedUsage(
            r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetFieldValue<Guid?>(3), r.GetFieldValue<Guid?>(4), r.GetInt32(5), r.GetInt32(6),
            r.GetBoolean(7), r.GetFieldValue<DateTimeOffset>(8)), ct);
        var ledger = await RowsAsync(reader, r => new ExportedTokenEntry(
            r.GetGuid(0), r.GetFieldValue<DateOnly>(1), r.GetString(2), r.GetInt64(3), r.GetFieldValue<long?>(4), r.GetString(5),
            r.GetFieldValue<DateTimeOffset>(6), r.GetFieldValue<DateTimeOffset?>(7)), ct);
        var events = await RowsAsync(reader, r => new ExportedAuditEvent(
            r.GetGuid(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), Text(r, 3), r.GetString(4), Text(r, 5), Text(r, 6), Text(r, 7),
            r.GetFieldValue<long?>(8), Text(r, 9), Text(r, 10)), ct);
        var keys = await RowsAsync(reader, r => new ExportedApiKey(
            r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset?>(4)), ct);
        var changes = await RowsAsync(reader, r => new ExportedConfigChange(r.GetGuid(0), Text(r, 1), r.GetFieldValue<DateTimeOffset>(2)), ct);
        return new UserExport(
            user,
            conversations.Select(c => new ExportedConversation(c.Id, c.Title, c.Created, c.Updated, messages[c.Id].ToList())).ToList(),
            usage, ledger, events, keys, changes, time.GetUtcNow());
    }

    /// <summary>
    /// Erases the user in one batch, so all of it or nothing: the user row and, by cascade, their
    /// conversations, messages and usage records; the client addresses of their audit events; and their sub
    /// where other rows name who acted (API keys they created, configuration changes they made, their token
    /// ledger), replaced by the pseudonym <c>erased:USER_ID</c>. The audit event records the user id and how
    /// many conversations went.
    /// </summary>
    /// <returns>False when the tenant has no such user.</returns>
    public async Task<bool> EraseAsync(Guid userId, CancellationToken ct)
    {
        var tenant = session.TenantId;
        var pseudonym = "erased:" + userId;
        await using var reader = await session.ReadAsync(ct,
            Sql.Command($"update api_keys set created_by = $3 where tenant_id = $1 and created_by = {Sub}", tenant, userId, pseudonym),
            Sql.Command($"update tenant_config set changed_by = $3 where tenant_id = $1 and changed_by = {Sub}", tenant, userId, pseudonym),
            Sql.Command($"update token_ledger set sub = $3 where tenant_id = $1 and sub = {Sub}", tenant, userId, pseudonym),
            Sql.Command(
                "delete from audit_client_addresses a using audit_events e " +
                $"where a.tenant_id = $1 and e.tenant_id = $1 and a.commitment = e.client_address and e.sub = {Sub}", tenant, userId),
            session.Audited(
                AuditActions.UserErase, userId.ToString(),
                Sql.Command(
                    "delete from users u where u.tenant_id = $1 and u.id = $2 " +
                    "returning u.id, (select count(*) from conversations c where c.tenant_id = $1 and c.user_id = $2) as conversations",
                    tenant, userId)));
        return await reader.ReadAsync(ct);
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>Moves to the next result set and reads every row of it.</summary>
    private static async Task<List<T>> RowsAsync<T>(NpgsqlDataReader r, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await r.NextResultAsync(ct);
        var rows = new List<T>();
        while (await r.ReadAsync(ct))
        {
            rows.Add(read(r));
        }

        return rows;
    }
}
