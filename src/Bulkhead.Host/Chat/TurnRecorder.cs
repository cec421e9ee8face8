using Bulkhead.Chat;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Records a call as a conversation turn: the user's message, the assistant's (incomplete when the stream
/// was cut) and the usage, in one atomic batch, creating the conversation first when asked. The model call
/// can outlast a move of the tenant: when the placement resolved before it refuses the write, the tenant is
/// resolved again and the turn stored where it lives now, so the answer is not lost.
/// </summary>
public sealed record TurnRecorder(TenantCaller Caller, TenantDirectory Directory, Guid ConversationId, string Owner, bool CreatesConversation, string Content) : IChatRecorder<TurnResult>
{
    public string Title => Content.Length <= 60 ? Content : Content[..(char.IsHighSurrogate(Content[59]) ? 59 : 60)] + "…";

    public async Task<TurnResult> RecordAsync(ModelCall call, ModelAnswer answer, CancellationToken ct)
    {
        var turn = new ChatTurn(ConversationId, Owner, CreatesConversation, Title, Content, answer.Text, call.Model, answer.PromptTokens, answer.CompletionTokens, answer.Complete);
        return new TurnResult(turn, await StalePlacement.WriteAsync(Caller, Directory, (caller, token) => StoreAsync(caller, turn, token), ct));
    }

    private static async Task<StoredTurn?> StoreAsync(TenantCaller caller, ChatTurn turn, CancellationToken ct)
    {
        await using var session = await caller.OpenSessionAsync(ct);
        return await new ChatStore(session, caller.Keys).SaveAsync(caller.Viewer, turn, ct);
    }
}
