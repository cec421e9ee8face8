using Bulkhead.Audit;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Compliance;

/// <summary>
/// The session tenant's users as the product knows them: everyone who has called it (users are made at a
/// first conversation, message or door call), with their conversations and this month's tokens. Newest first.
/// </summary>
public sealed class TenantUsers(TenantSession session)
{
    // The month's ledger is summed once per page, not once per user: the ledger is indexed by month, not by sub.
    private const string ListSql = """
        select u.id, u.sub, u.created_at,
               (select count(*) from conversations c where c.tenant_id = u.tenant_id and c.user_id = u.id),
               greatest((select max(c.updated_at) from conversations c where c.tenant_id = u.tenant_id and c.user_id = u.id), t.last_call),
               coalesce(t.tokens, 0)::bigint, coalesce(t.calls, 0)
          from users u
          left join (select l.sub, sum(l.used_tokens) as tokens, count(*) as calls, max(l.created_at) as last_call
                       from token_ledger l
                      where l.tenant_id = $1 and l.month = $2 and l.state = 'reconciled'
                      group by l.sub) t on t.sub = u.sub
         where u.tenant_id = $1 and ($3::uuid is null or u.id < $3::uuid)
         order by u.id desc
         limit $4
        """;

    public async Task<Page<TenantUser>> ListAsync(DateOnly month, Guid? after, int limit, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, session.Audited(AuditActions.UserList, null,
            Sql.Command(ListSql, session.TenantId, month, after, limit + 1)));
        var users = new List<TenantUser>();
        while (await reader.ReadAsync(ct))
        {
            users.Add(Read(reader));
        }

        if (users.Count <= limit)
        {
            return new Page<TenantUser>(users, null);
        }

        users.RemoveAt(users.Count - 1);
        return new Page<TenantUser>(users, users[^1].Id);
    }

    private static TenantUser Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), r.GetInt64(3),
        r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.GetInt64(5), r.GetInt64(6));
}

/// <param name="LastActiveAt">The latest of their conversations' last change and their last model call this month.</param>
public sealed record TenantUser(Guid Id, string Sub, DateTimeOffset CreatedAt, long Conversations, DateTimeOffset? LastActiveAt, long TokensThisMonth, long CallsThisMonth);
