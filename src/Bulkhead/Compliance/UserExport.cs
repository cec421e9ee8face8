namespace Bulkhead.Compliance;

/// <summary>Everything Bulkhead holds as a user's content (GDPR Art. 20): the user, their conversations and every message.</summary>
public sealed record UserExport(ExportedUser User, IReadOnlyList<ExportedConversation> Conversations, DateTimeOffset ExportedAt);

public sealed record ExportedUser(Guid Id, string Sub, DateTimeOffset CreatedAt);

public sealed record ExportedConversation(Guid Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<ExportedMessage> Messages);

public sealed record ExportedMessage(Guid Id, string Role, string Content, string Status, string? Model, DateTimeOffset CreatedAt);
