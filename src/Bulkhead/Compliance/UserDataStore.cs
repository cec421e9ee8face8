using Bulkhead.Audit;
using Bulkhead.Storage;

namespace Bulkhead.Compliance;

/// <summary>
/// A data subject's rights over the session tenant's data: export (Art. 20) and erasure (Art. 17). Both
/// are audited; the erasure's event names the user id and counts, never content, so the trail (and its
/// seals) stay whole after the content is gone.
/// </summary>
public sealed class UserDataStore(TenantSession session, TimeProvider time)
{
    /// <returns>The export, or null when the tenant has no such user.</returns>
    public async Task<UserExport?> ExportAsync(Guid userId, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct,
            session.Audited(
                AuditActions.UserExport, userId.ToString(),
                Sql.Command("select id, sub, created_at from users where tenant_id = $1 and id = $2", session.TenantId, userId)),
            Sql.Command(
                "select id, title, created_at, updated_at from conversations where tenant_id = $1 and user_id = $2 order by id",
                session.TenantId, userId),
            Sql.Command(
                "select m.conversation_id, m.id, m.role, m.content, m.status, m.model, m.created_at from messages m " +
                "join conversations c on c.tenant_id = m.tenant_id and c.id = m.conversation_id " +
                "where m.tenant_id = $1 and c.tenant_id = $1 and c.user_id = $2 order by m.conversation_id, m.id",
                session.TenantId, userId));
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var user = new ExportedUser(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
        await reader.NextResultAsync(ct);
        var conversations = new List<(Guid Id, string Title, DateTimeOffset Created, DateTimeOffset Updated)>();
        while (await reader.ReadAsync(ct))
        {
            conversations.Add((reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        await reader.NextResultAsync(ct);
        var messages = new Dictionary<Guid, List<ExportedMessage>>();
        while (await reader.ReadAsync(ct))
        {
            var conversation = reader.GetGuid(0);
            if (!messages.TryGetValue(conversation, out var list))
            {
                messages[conversation] = list = [];
            }

            list.Add(new ExportedMessage(
                reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return new UserExport(
            user,
            conversations.Select(c => new ExportedConversation(c.Id, c.Title, c.Created, c.Updated, messages.GetValueOrDefault(c.Id) ?? [])).ToList(),
            time.GetUtcNow());
    }

    /// <summary>
    /// Deletes the user and, by cascade, their conversations, messages and usage records, in one statement.
    /// The audit event records the user id and how many conversations went.
    /// </summary>
    /// <returns>False when the tenant has no such user.</returns>
    public async Task<bool> EraseAsync(Guid userId, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, session.Audited(
            AuditActions.UserErase, userId.ToString(),
            Sql.Command(
                "delete from users u where u.tenant_id = $1 and u.id = $2 " +
                "returning u.id, (select count(*) from conversations c where c.tenant_id = $1 and c.user_id = $2) as conversations",
                session.TenantId, userId)));
        return await reader.ReadAsync(ct);
    }
}
