namespace Bulkhead.Chat;

/// <summary>
/// One exchange to store: the user's message and what the model answered. <see cref="Complete"/> is false when
/// the stream was cut (client gone or provider failed mid-way): the text is what was produced.
/// <see cref="Owner"/> is the sub of the conversation's owner, whose key seals it (from <see cref="ChatTurnContext.Owner"/>).
/// </summary>
public sealed record ChatTurn(
    Guid ConversationId,
    string Owner,
    bool CreatesConversation,
    string Title,
    string UserContent,
    string AssistantContent,
    string Model,
    int PromptTokens,
    int CompletionTokens,
    bool Complete);

/// <summary>The ids and times the database gave the two stored messages.</summary>
public sealed record StoredTurn(Guid UserMessageId, DateTimeOffset UserCreatedAt, Guid AssistantMessageId, DateTimeOffset AssistantCreatedAt);
