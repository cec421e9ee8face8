namespace Bulkhead.Chat;

/// <summary>What a chat call needs from the database, read in one round trip before the model is called.</summary>
public sealed record ChatTurnContext(TenantChatConfig Config, bool ConversationVisible, IReadOnlyList<HistoryMessage> History);

/// <summary>One earlier message of the same conversation, oldest first.</summary>
public sealed record HistoryMessage(string Role, string Content);
