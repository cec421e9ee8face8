namespace Bulkhead.Conversations;

public sealed record Message(Guid Id, Guid ConversationId, string Role, string Content, DateTimeOffset CreatedAt);
