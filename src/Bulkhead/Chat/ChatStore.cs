using Bulkhead.Conversations;
using Bulkhead.Crypto;
using Bulkhead.Storage;

namespace Bulkhead.Chat;

/// <summary>
/// Chat turns and their usage, for the session's tenant. Every statement names tenant_id; a member reaches only
/// their own conversations, as in <see cref="ConversationStore"/>, and contents and titles are sealed the same way.
/// </summary>
public sealed class ChatStore(TenantSession session, KeyRing keys)
{
    private const string UpsertUser = "insert into users (tenant_id, id, sub) values ($1, $2, $3) on conflict (tenant_id, sub) do nothing";
    private const string UserBySub = "(select u.id from users u where u.tenant_id = $1 and u.sub = $2)";

    private Guid TenantId => session.TenantId;

    /// <summary>Configuration, visibility of the conversation and its latest messages, in one round trip.</summary>
    /// <param name="conversationId">Null for a new conversation: nothing to check, no history.</param>
    public async Task<ChatTurnContext> PrepareAsync(Viewer viewer, Guid? conversationId, int historyLimit, ChatDefaults plan, CancellationToken ct)
    {
        var conversation = conversationId ?? Guid.Empty;
        await using var reader = await session.ReadAsync(ct,
            Sql.Command(UpsertUser, TenantId, Guid.CreateVersion7(), viewer.Sub),
            Sql.Command(TenantConfigStore.ReadSql, TenantId),
            Sql.Command(
                $"select {ConversationStore.OwnerSub(viewer)} from conversations c where c.tenant_id = $1 and c.id = $3{Scope(viewer)}",
                TenantId, viewer.Sub, conversation),
            Sql.Command(
                "select id, role, content from (select m.id, m.role, m.content from messages m " +
                $"where m.tenant_id = $1 and m.conversation_id = $3 and exists (select 1 from conversations c where c.tenant_id = $1 and c.id = $3{Scope(viewer)}) " +
                "order by m.id desc limit $4) recent order by id",
                TenantId, viewer.Sub, conversation, historyLimit));
        var config = new TenantChatConfig(plan, await TenantConfigStore.ReadOverridesAsync(reader, keys.For(TenantId), ct));
        await reader.NextResultAsync(ct);
        var owner = await reader.ReadAsync(ct) ? reader.GetString(0) : null;
        await reader.NextResultAsync(ct);
        var history = new List<HistoryMessage>();
        var cipher = keys.For(TenantId);
        while (await reader.ReadAsync(ct))
        {
            var field = ConversationStore.ContentField(reader.GetGuid(0), owner!);
            history.Add(new HistoryMessage(reader.GetString(1), cipher.Open(field, reader.GetFieldValue<byte[]>(2))));
        }

        return new ChatTurnContext(config, owner is not null, history, owner ?? viewer.Sub);
    }

    /// <summary>
    /// Stores the user's message, the assistant's message and the usage in one atomic batch (creating the
    /// conversation first when asked). Returns null when the conversation is no longer visible.
    /// </summary>
    public async Task<StoredTurn?> SaveAsync(Viewer viewer, ChatTurn turn, CancellationToken ct)
    {
        var (userMessage, assistantMessage) = OrderedIds();
        var insertMessage = "insert into messages (tenant_id, id, conversation_id, role, content, status, model, prompt_tokens, completion_tokens) " +
                            $"select $1, $4, c.id, $5, $6, $7, $8::text, $9::integer, $10::integer from conversations c where c.tenant_id = $1 and c.id = $3{Scope(viewer)} " +
                            "returning id, created_at";
        var commands = new List<Npgsql.NpgsqlBatchCommand>
        {
            Sql.Command(UpsertUser, TenantId, Guid.CreateVersion7(), viewer.Sub),
        };
        var cipher = keys.For(TenantId);
        if (turn.CreatesConversation)
        {
            commands.Add(Sql.Command(
                $"insert into conversations (tenant_id, id, user_id, title) select $1, $3, u.id, $4 from users u where u.tenant_id = $1 and u.sub = $2",
                TenantId, viewer.Sub, turn.ConversationId, cipher.Seal(ConversationStore.TitleField(turn.ConversationId, turn.Owner), turn.Title)));
            commands.Add(ConversationStore.TermsCommand(TenantId, turn.ConversationId, cipher.Terms(turn.Title)));
        }

        commands.Add(Sql.Command(insertMessage, TenantId, viewer.Sub, turn.ConversationId, userMessage, "user",
            cipher.Seal(ConversationStore.ContentField(userMessage, turn.Owner), turn.UserContent), "complete", null, null, null));
        commands.Add(Sql.Command(insertMessage, TenantId, viewer.Sub, turn.ConversationId, assistantMessage, "assistant",
            cipher.Seal(ConversationStore.ContentField(assistantMessage, turn.Owner), turn.AssistantContent),
            turn.Complete ? "complete" : "incomplete", turn.Model, turn.PromptTokens, turn.CompletionTokens));
        commands.Add(UsageCommand(viewer.Sub, turn.Model, "api", turn.ConversationId, assistantMessage, turn.PromptTokens, turn.CompletionTokens, turn.Complete));
        commands.Add(Sql.Command("update conversations set updated_at = now() where tenant_id = $1 and id = $2", TenantId, turn.ConversationId));

        await using var reader = await session.ReadAsync(ct, [.. commands]);
        // Only the two message inserts return rows, so the reader starts on the user's message.
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var (userId, userAt) = (reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1));
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return new StoredTurn(userId, userAt, reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>Records a call that stores no conversation (the OpenAI-compatible door).</summary>
    public async Task RecordUsageAsync(string sub, string model, int promptTokens, int completionTokens, bool complete, CancellationToken ct)
    {
        await session.ExecuteAsync(ct,
            Sql.Command(UpsertUser, TenantId, Guid.CreateVersion7(), sub),
            UsageCommand(sub, model, "openai", null, null, promptTokens, completionTokens, complete));
    }

    /// <summary>Token totals of the tenant per user and model, for reports and tests.</summary>
    public async Task<IReadOnlyList<UsageTotal>> UsageAsync(CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command(
            "select u.sub, cu.model, count(*), sum(cu.prompt_tokens), sum(cu.completion_tokens) from chat_usage cu " +
            "join users u on u.tenant_id = cu.tenant_id and u.id = cu.user_id " +
            "where cu.tenant_id = $1 group by u.sub, cu.model order by u.sub, cu.model", TenantId));
        var totals = new List<UsageTotal>();
        while (await reader.ReadAsync(ct))
        {
            totals.Add(new UsageTotal(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return totals;
    }

    private Npgsql.NpgsqlBatchCommand UsageCommand(string sub, string model, string source, Guid? conversationId, Guid? messageId, int prompt, int completion, bool complete) =>
        Sql.Command(
            "insert into chat_usage (tenant_id, id, user_id, model, source, conversation_id, message_id, prompt_tokens, completion_tokens, complete) " +
            $"select $1, $3, {UserBySub}, $4, $5, $6::uuid, $7::uuid, $8, $9, $10",
            TenantId, sub, Guid.CreateVersion7(), model, source, conversationId, messageId, prompt, completion, complete);

    // Messages are listed by id; two UUIDv7s made in the same millisecond are not ordered by time, so the
    // reply's id is made the greater one (compared as PostgreSQL compares uuids: bytes, as in the hex form).
    private static (Guid First, Guid Second) OrderedIds()
    {
        var (a, b) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        return string.CompareOrdinal(a.ToString("N"), b.ToString("N")) < 0 ? (a, b) : (b, a);
    }

    // Statements bind the viewer's sub as $2; only a member's variant refers to it.
    private static string Scope(Viewer viewer) => viewer.SeesWholeTenant
        ? ""
        : " and c.user_id = (select u.id from users u where u.tenant_id = $1 and u.sub = $2)";
}

/// <summary>One user's use of one model.</summary>
public sealed record UsageTotal(string Sub, string Model, long Calls, long PromptTokens, long CompletionTokens);
