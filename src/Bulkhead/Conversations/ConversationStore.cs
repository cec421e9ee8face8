using Bulkhead.Audit;
using Bulkhead.Crypto;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Conversations;

/// <summary>
/// Conversations and messages of the session's tenant. Every statement names tenant_id even though
/// row-level security would catch it; a member's statements are also bound to their own user. Each
/// access records its audit event in the same statement (see <see cref="AuditActions"/>), with its outcome:
/// not found when the viewer cannot see the conversation. Titles and contents are sealed under the owner's
/// key before they are sent and opened after they are read (<see cref="ContentCipher"/>); titles are also
/// indexed blind, for search (<see cref="ContentCipher.Terms"/>). Users' keys are named by their sub, so a
/// member's own content is sealed and opened with no lookup; an admin's reads fetch each owner's sub with
/// the rows.
/// </summary>
public sealed class ConversationStore(TenantSession session, KeyRing keys)
{
    private const string OwnUser = " and c.user_id = (select u.id from users u where u.tenant_id = $1 and u.sub = $2)";
    private const string UpsertUser = "insert into users (tenant_id, id, sub) values ($1, $2, $3) on conflict (tenant_id, sub) do nothing";

    private readonly ContentCipher _cipher = keys.For(session.TenantId);

    private Guid TenantId => session.TenantId;

    /// <summary>Creates the user on first sight and returns its id.</summary>
    public async Task<Guid> EnsureUserAsync(string sub, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct,
            Sql.Command(UpsertUser, TenantId, Guid.CreateVersion7(), sub),
            Sql.Command("select id from users where tenant_id = $1 and sub = $2", TenantId, sub));
        await reader.ReadAsync(ct);
        return reader.GetGuid(0);
    }

    /// <summary>One round trip: the user on first sight, the conversation (sealed under the caller's key, named by the sub) and its title's terms.</summary>
    public async Task<Conversation> CreateAsync(Viewer viewer, string title, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var reader = await session.ReadAsync(ct,
            Sql.Command(UpsertUser, TenantId, Guid.CreateVersion7(), viewer.Sub),
            session.Audited(AuditActions.ConversationCreate, id.ToString(),
                Sql.Command(
                    "insert into conversations (tenant_id, id, user_id, title) " +
                    "select $1, $2, u.id, $4 from users u where u.tenant_id = $1 and u.sub = $3 " +
                    "returning id, user_id, title, created_at, updated_at, $3::text",
                    TenantId, id, viewer.Sub, SealTitle(id, viewer.Sub, title))),
            TermsCommand(id, title));
        await reader.ReadAsync(ct);
        return ReadConversation(reader);
    }

    /// <param name="userId">An admin's filter by user; members always see only their own.</param>
    /// <param name="search">Words that every listed title must contain (whole words, any case), or null.</param>
    public async Task<Page<Conversation>> ListAsync(Viewer viewer, Guid? userId, Guid? after, int limit, CancellationToken ct, string? search = null)
    {
        var terms = search is null ? null : _cipher.Terms(search);
        await using var reader = await session.ReadAsync(ct, session.Audited(
            AuditActions.ConversationList, userId?.ToString(), ListCommand(TenantId, viewer, userId, after, limit + 1, terms)));
        var items = new List<Conversation>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(ReadConversation(reader));
        }

        return Paginate(items, limit, c => c.Id);
    }

    /// <summary>
    /// The seed's query: one page of conversations, newest first. Public so that tests and benchmarks run the
    /// very same SQL. <paramref name="terms"/> (blind-index terms) keeps the conversations whose title has them all.
    /// </summary>
    public static NpgsqlBatchCommand ListCommand(Guid tenantId, Viewer viewer, Guid? userId, Guid? after, int rows, byte[][]? terms = null)
    {
        var args = new List<object?> { tenantId, viewer.Sub };
        var sql = $"select {Columns(viewer)} from conversations c where c.tenant_id = $1{Scope(viewer)}";
        if (viewer.SeesWholeTenant && userId is { } user)
        {
            args.Add(user);
            sql += $" and c.user_id = ${args.Count}";
        }

        if (terms is not null)
        {
            args.Add(terms);
            sql += $" and (select count(*) from conversation_terms t where t.tenant_id = $1 and t.conversation_id = c.id and t.term = any(${args.Count}::bytea[])) = {terms.Length}";
        }

        if (after is { } key)
        {
            args.Add(key);
            sql += $" and c.id < ${args.Count}";
        }

        args.Add(rows);
        sql += $" order by c.id desc limit ${args.Count}";
        return Sql.Command(sql, args.ToArray());
    }

    public async Task<Conversation?> GetAsync(Viewer viewer, Guid id, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, session.Audited(
            AuditActions.ConversationRead, id.ToString(),
            Sql.Command($"select {Columns(viewer)} from conversations c where c.tenant_id = $1 and c.id = $3{Scope(viewer)}", TenantId, viewer.Sub, id)));
        return await reader.ReadAsync(ct) ? ReadConversation(reader) : null;
    }

    public async Task<Conversation?> RenameAsync(Viewer viewer, Guid id, string title, CancellationToken ct)
    {
        // The title is sealed under its owner's key: a member's own, an admin's read first (an admin may rename anyone's).
        if (await OwnerAsync(viewer, id, ct) is not { } owner)
        {
            await session.ExecuteAsync(ct, session.Outcome(AuditActions.ConversationUpdate, id.ToString(), AuditOutcome.NotFound, 0));
            return null;
        }

        await using var reader = await session.ReadAsync(ct, session.Audited(
                AuditActions.ConversationUpdate, id.ToString(),
                Sql.Command(
                    $"update conversations c set title = $4, updated_at = now() where c.tenant_id = $1 and c.id = $3{Scope(viewer)} " +
                    $"returning {Columns(viewer)}",
                    TenantId, viewer.Sub, id, SealTitle(id, owner, title))),
            // The terms change only where the title did: the viewer's own conversation (or, for an admin, the tenant's).
            Sql.Command($"delete from conversation_terms t where t.tenant_id = $1 and t.conversation_id = $3 and {Visible(viewer)}", TenantId, viewer.Sub, id),
            Sql.Command(
                $"insert into conversation_terms (tenant_id, conversation_id, term) select $1, $3, t from unnest($4::bytea[]) t where {Visible(viewer)} on conflict do nothing",
                TenantId, viewer.Sub, id, _cipher.Terms(title)));
        return await reader.ReadAsync(ct) ? ReadConversation(reader) : null;
    }

    public async Task<bool> DeleteAsync(Viewer viewer, Guid id, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, session.Audited(
            AuditActions.ConversationDelete, id.ToString(),
            Sql.Command($"delete from conversations c where c.tenant_id = $1 and c.id = $3{Scope(viewer)} returning c.id", TenantId, viewer.Sub, id)));
        return await reader.ReadAsync(ct);
    }

    /// <returns>The page, or null when the conversation is not visible to the viewer.</returns>
    public async Task<Page<Message>?> ListMessagesAsync(Viewer viewer, Guid conversationId, Guid? after, int limit, CancellationToken ct)
    {
        var sql = "select m.id, m.conversation_id, m.role, m.content, m.created_at from messages m " +
                  "where m.tenant_id = $1 and m.conversation_id = $3 and m.id > $4 order by m.id limit $5";
        var visible = Visible(viewer);
        await using var reader = await session.ReadAsync(ct,
            Sql.Command($"select {OwnerSub(viewer)} from conversations c where c.tenant_id = $1 and c.id = $3{Scope(viewer)}", TenantId, viewer.Sub, conversationId),
            session.Audited(
                AuditActions.MessageList.FoundWhen(visible), conversationId.ToString(),
                Sql.Command(sql, TenantId, viewer.Sub, conversationId, after ?? Guid.Empty, limit + 1)));
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var owner = reader.GetString(0);
        await reader.NextResultAsync(ct);
        var items = new List<Message>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(ReadMessage(reader, owner));
        }

        return Paginate(items, limit, m => m.Id);
    }

    /// <returns>The stored message, or null when the conversation is not visible to the viewer.</returns>
    public async Task<Message?> AddMessageAsync(Viewer viewer, Guid conversationId, string role, string content, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var owner = await OwnerAsync(viewer, conversationId, ct);
        await using var reader = await session.ReadAsync(ct,
            session.Audited(
                AuditActions.MessageCreate, id.ToString(),
                Sql.Command(
                    "insert into messages (tenant_id, id, conversation_id, role, content) " +
                    $"select $1, $4, c.id, $5, $6 from conversations c where c.tenant_id = $1 and c.id = $3{Scope(viewer)} " +
                    "returning id, conversation_id, role, content, created_at",
                    TenantId, viewer.Sub, conversationId, id, role, owner is { } user ? SealContent(id, user, content) : Array.Empty<byte>())),
            Sql.Command("update conversations set updated_at = now() where tenant_id = $1 and id = $2", TenantId, conversationId));
        return await reader.ReadAsync(ct) ? ReadMessage(reader, owner!) : null;
    }

    /// <summary>The sealed content of a message of the conversation of the user with sub <paramref name="owner"/>; also for the chat's store.</summary>
    public static SealedField ContentField(Guid message, string owner) => new("messages", message, "content", owner);

    public static SealedField TitleField(Guid conversation, string owner) => new("conversations", conversation, "title", owner);

    /// <summary>
    /// The sub of the owner of conversation <c>c</c>, whose key seals it: a member sees only their own ($2, no
    /// lookup); an admin's rows fetch it.
    /// </summary>
    public static string OwnerSub(Viewer viewer) =>
        viewer.SeesWholeTenant ? "(select o.sub from users o where o.tenant_id = $1 and o.id = c.user_id)" : "$2::text";


    /// <summary>Inserts the title's blind-index terms; $1 tenant, $2 conversation.</summary>
    public static NpgsqlBatchCommand TermsCommand(Guid tenantId, Guid conversation, byte[][] terms) =>
        Sql.Command(
            "insert into conversation_terms (tenant_id, conversation_id, term) select $1, $2, t from unnest($3::bytea[]) t on conflict do nothing",
            tenantId, conversation, terms);

    private NpgsqlBatchCommand TermsCommand(Guid conversation, string title) => TermsCommand(TenantId, conversation, _cipher.Terms(title));

    private byte[] SealTitle(Guid conversation, string owner, string title) => _cipher.Seal(TitleField(conversation, owner), title);

    private byte[] SealContent(Guid message, string owner, string content) => _cipher.Seal(ContentField(message, owner), content);

    private static string Visible(Viewer viewer) => $"exists (select 1 from conversations c where c.tenant_id = $1 and c.id = $3{Scope(viewer)})";

    private static string Columns(Viewer viewer) => $"c.id, c.user_id, c.title, c.created_at, c.updated_at, {OwnerSub(viewer)}";

    /// <summary>The sub whose key seals the conversation: a member's own, with no round trip; an admin's read from the database.</summary>
    private async Task<string?> OwnerAsync(Viewer viewer, Guid conversation, CancellationToken ct)
    {
        if (!viewer.SeesWholeTenant)
        {
            return viewer.Sub;
        }

        await using var reader = await session.ReadAsync(ct,
            Sql.Command($"select {OwnerSub(viewer)} from conversations c where c.tenant_id = $1 and c.id = $3", TenantId, viewer.Sub, conversation));
        return await reader.ReadAsync(ct) ? reader.GetString(0) : null;
    }

    // Statements bind the viewer's sub as $2 in every variant; only a member's variant refers to it.
    private static string Scope(Viewer viewer) => viewer.SeesWholeTenant ? "" : OwnUser;

    private static Page<T> Paginate<T>(List<T> rows, int limit, Func<T, Guid> key)
    {
        if (rows.Count <= limit)
        {
            return new Page<T>(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, key(rows[^1]));
    }

    private Conversation ReadConversation(NpgsqlDataReader r)
    {
        var id = r.GetGuid(0);
        return new Conversation(id, r.GetGuid(1), _cipher.Open(TitleField(id, r.GetString(5)), r.GetFieldValue<byte[]>(2)), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4));
    }

    private Message ReadMessage(NpgsqlDataReader r, string owner)
    {
        var id = r.GetGuid(0);
        return new Message(id, r.GetGuid(1), r.GetString(2), _cipher.Open(ContentField(id, owner), r.GetFieldValue<byte[]>(3)), r.GetFieldValue<DateTimeOffset>(4));
    }
}
