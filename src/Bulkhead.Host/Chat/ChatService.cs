using Bulkhead.Chat;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Hosting;
using Bulkhead.Tenancy;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat;

/// <summary>
/// One chat turn of a conversation: read configuration and history (one round trip), pass the limits,
/// call the model, store both messages and the usage (one atomic batch). A failed call stores nothing.
/// </summary>
public sealed class ChatService(
    ChatModels models, ChatPlanCatalog plans, ChatAdmission admission, TokenCounter tokens, TenantDirectory directory,
    IOptions<BulkheadOptions> options, ILogger<ChatService> log)
{
    public ChatModels Models => models;

    public TokenCounter Tokens => tokens;

    public ChatAdmission Admission => admission;

    /// <param name="conversationId">Null starts a new conversation, created when the turn is stored.</param>
    /// <returns>Null when the conversation is not visible to the caller (the same 404 as an unknown id).</returns>
    public async Task<PreparedTurn?> PrepareAsync(TenantCaller caller, Guid? conversationId, string content, CancellationToken ct)
    {
        var plan = await plans.FindAsync(caller.Tenant.Plan, ct);
        ChatTurnContext context;
        await using (var session = await caller.OpenSessionAsync(ct))
        {
            context = await new ChatStore(session).PrepareAsync(caller.Viewer, conversationId, options.Value.Chat.HistoryMessages, plan, ct);
        }

        if (conversationId is not null && !context.ConversationVisible)
        {
            return null;
        }

        var settings = context.Config.Resolve(models.Defaults);
        List<ChatMessage> messages = [new(ChatRole.System, settings.SystemPrompt)];
        messages.AddRange(context.History.Select(m => new ChatMessage(new ChatRole(m.Role), m.Content)));
        messages.Add(new ChatMessage(ChatRole.User, content));
        return new PreparedTurn(caller, conversationId ?? Guid.CreateVersion7(), conversationId is null, content, settings, messages);
    }

    /// <returns>The stored turn, or the problem to answer with (the provider failed or the model is not served).</returns>
    public async Task<(TurnResult? Result, ProblemHttpResult? Problem)> CompleteAsync(PreparedTurn turn, CancellationToken ct)
    {
        IChatClient client;
        try
        {
            client = models.Create(turn.Caller.Tenant.Id, turn.Settings, turn.Model);
        }
        catch (ModelUnavailableException e)
        {
            return (null, UpstreamProblem.Unavailable(e));
        }

        using (client)
        {
            await using var ticket = await AdmitAsync(turn, ct);
            ChatResponse response;
            try
            {
                response = await client.GetResponseAsync(turn.Messages, turn.Options, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning(e, "Model call failed for tenant {TenantId} with model {Model}", turn.Caller.Tenant.Id, turn.Model);
                return (null, UpstreamProblem.For(e));
            }

            var text = response.Text;
            var prompt = (int)(response.Usage?.InputTokenCount ?? tokens.Count(turn.Messages));
            var completion = (int)(response.Usage?.OutputTokenCount ?? tokens.Count(text));
            var result = await SaveAsync(turn, text, prompt, completion, complete: true, ct);
            await ticket.SettleAsync(prompt + completion);
            return (result, null);
        }
    }

    public Task<ChatTicket> AdmitAsync(PreparedTurn turn, CancellationToken ct) =>
        admission.AdmitAsync(turn.Caller.Tenant.Scope, turn.Caller.Sub, turn.Model, tokens.Count(turn.Messages) + turn.Settings.MaxTokens, ct);

    /// <summary>
    /// Stores the turn; a stream that was cut is stored with <paramref name="complete"/> false. The model call
    /// can outlast a move of the tenant: when the placement resolved before it refuses the write, the tenant
    /// is resolved again and the turn stored where it lives now, so the answer is not lost.
    /// </summary>
    public async Task<TurnResult> SaveAsync(PreparedTurn turn, string text, int prompt, int completion, bool complete, CancellationToken ct)
    {
        var chatTurn = new ChatTurn(turn.ConversationId, turn.CreatesConversation, turn.Title, turn.Content, text, turn.Model, prompt, completion, complete);
        try
        {
            return new TurnResult(turn, chatTurn, await StoreAsync(turn.Caller, chatTurn, ct));
        }
        catch (Exception e) when (PlacementFence.IsStale(e))
        {
            var caller = await StalePlacement.ResolveAgainAsync(turn.Caller, directory, ct);
            if (caller is null)
            {
                throw;
            }

            return new TurnResult(turn, chatTurn, await StoreAsync(caller, chatTurn, ct));
        }
    }

    private static async Task<StoredTurn?> StoreAsync(TenantCaller caller, ChatTurn chatTurn, CancellationToken ct)
    {
        await using var session = await caller.OpenSessionAsync(ct);
        return await new ChatStore(session).SaveAsync(caller.Viewer, chatTurn, ct);
    }
}

/// <summary>A stored turn; <see cref="Stored"/> is null when the conversation was deleted during the call.</summary>
public sealed record TurnResult(PreparedTurn Turn, ChatTurn Chat, StoredTurn? Stored)
{
    public TurnUsage Usage => TurnUsage.Of(Chat.PromptTokens, Chat.CompletionTokens);

    public string Status => Chat.Complete ? "complete" : "incomplete";

    public ChatTurnResponse ToResponse()
    {
        var stored = Stored!;
        return new ChatTurnResponse(
            Chat.ConversationId,
            new MessageResponse(stored.UserMessageId, Chat.ConversationId, "user", Chat.UserContent, stored.UserCreatedAt),
            new ReplyResponse(stored.AssistantMessageId, Chat.ConversationId, "assistant", Chat.AssistantContent, Status, Chat.Model, stored.AssistantCreatedAt),
            Usage);
    }

    public ChatAnswerResponse ToAnswer() =>
        new(Chat.AssistantContent, Chat.ConversationId, Stored!.AssistantMessageId, Chat.Model, Usage);

    public StreamEndEvent ToEndEvent() =>
        new(Chat.ConversationId, Stored?.AssistantMessageId, Stored?.UserMessageId, Chat.Model, Status, Usage);
}
