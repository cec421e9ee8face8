namespace Bulkhead.Conversations;

public sealed record Conversation(Guid Id, Guid UserId, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
