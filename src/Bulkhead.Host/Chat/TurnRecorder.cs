using Bulkhead.Chat;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat.Engine;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Records a call as a conversation turn: the user's message, the assistant's (incomplete when the stream
/// was cut) and the usage, in one atomic batch, creating the conversation first when asked.
/// </summary>
public sealed record TurnRecorder(TenantCaller Caller, Guid ConversationId, bool CreatesConversation, string Content) : IChatRecorder<TurnResult>
{
    public string Title => Content.Length <= 60 ? Content : Content[..(char.IsHighSurrogate(Content[59]) ? 59 : 60)] + "…";

    public async Task<TurnResult> RecordAsync(ModelCall call, ModelAnswer answer, CancellationToken ct)
    {
        var turn = new ChatTurn(ConversationId, CreatesConversation, Title, Content, answer.Text, call.Model, answer.PromptTokens, answer.CompletionTokens, answer.Complete);
        await using var session = await Caller.OpenSessionAsync(ct);
        return new TurnResult(turn, await new ChatStore(session).SaveAsync(Caller.Viewer, turn, ct));
    }
}
