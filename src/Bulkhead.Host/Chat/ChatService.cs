using Bulkhead.Chat;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Host.Hosting;
using Bulkhead.Tenancy;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat;

/// <summary>
/// The chat turn of a conversation: read configuration and history (one round trip), then run it through
/// <see cref="ChatEngine"/>, which stores both messages and the usage (one atomic batch). A failed call stores nothing.
/// </summary>
public sealed class ChatService(ModelProviders models, PlanCatalog plans, ChatEngine engine, TenantDirectory directory, IOptions<BulkheadOptions> options)
{
    /// <param name="conversationId">Null starts a new conversation, created when the turn is stored.</param>
    /// <returns>Null when the conversation is not visible to the caller (the same 404 as an unknown id).</returns>
    public async Task<PreparedTurn?> PrepareAsync(TenantCaller caller, Guid? conversationId, string content, CancellationToken ct)
    {
        var plan = (await plans.GetAsync(caller.Tenant.Plan, ct)).Chat;
        ChatTurnContext context;
        await using (var session = await caller.OpenSessionAsync(ct))
        {
            context = await new ChatStore(session, caller.Keys).PrepareAsync(caller.Viewer, conversationId, options.Value.Chat.HistoryMessages, plan, ct);
        }

        if (conversationId is not null && !context.ConversationVisible)
        {
            return null;
        }

        var settings = context.Config.Resolve(models.Defaults);
        var call = ModelCall.Create(caller.Tenant.Scope, caller.Sub, settings,
            [.. context.History.Select(m => new ChatMessage(new ChatRole(m.Role), m.Content)), new ChatMessage(ChatRole.User, content)]);
        return new PreparedTurn(call, new TurnRecorder(caller, directory, conversationId ?? Guid.CreateVersion7(), context.Owner, conversationId is null, content));
    }

    /// <summary>Runs the turn into a JSON answer; throws <see cref="ModelCallException"/> when the model gave none.</summary>
    public Task<ChatRun<TurnResult>> CompleteAsync(PreparedTurn turn, CancellationToken ct) =>
        engine.RunAsync(turn.Call, WholeAnswer.Sink, turn.Recorder, ct);

    public ChatStreamResult<TurnResult> Stream(PreparedTurn turn) =>
        new(engine, turn.Call, turn.Recorder, sse => new ChatEventSink(sse));
}
