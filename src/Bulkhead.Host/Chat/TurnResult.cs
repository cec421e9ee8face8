using Bulkhead.Chat;
using Bulkhead.Host.Api;

namespace Bulkhead.Host.Chat;

/// <summary>A stored turn; <see cref="Stored"/> is null when the conversation was deleted during the call.</summary>
public sealed record TurnResult(ChatTurn Chat, StoredTurn? Stored)
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
