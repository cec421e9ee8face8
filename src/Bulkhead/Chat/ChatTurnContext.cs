namespace Bulkhead.Chat;

/// <summary>
/// What a chat call needs from the database, read in one round trip before the model is called.
/// <see cref="Owner"/> is the sub of the user whose key seals the conversation: its owner, or the caller for a new one.
/// </summary>
public sealed record ChatTurnContext(TenantChatConfig Config, bool ConversationVisible, IReadOnlyList<HistoryMessage> History, string Owner);

/// <summary>One earlier message of the same conversation, oldest first.</summary>
public sealed record HistoryMessage(string Role, string Content);
