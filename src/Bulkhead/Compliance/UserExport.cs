namespace Bulkhead.Compliance;

/// <summary>
/// Everything Bulkhead holds about a user (GDPR Art. 15 and 20): the user, their conversations and every
/// message, what their chats used, their token ledger, the audit events of their own requests, the API keys
/// they created and the configuration changes they made.
/// </summary>
public sealed record UserExport(
    ExportedUser User,
    IReadOnlyList<ExportedConversation> Conversations,
    IReadOnlyList<ExportedUsage> Usage,
    IReadOnlyList<ExportedTokenEntry> TokenLedger,
    IReadOnlyList<ExportedAuditEvent> AuditEvents,
    IReadOnlyList<ExportedApiKey> ApiKeys,
    IReadOnlyList<ExportedConfigChange> ConfigChanges,
    DateTimeOffset ExportedAt);

public sealed record ExportedUser(Guid Id, string Sub, DateTimeOffset CreatedAt);

public sealed record ExportedConversation(Guid Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<ExportedMessage> Messages);

public sealed record ExportedMessage(Guid Id, string Role, string Content, string Status, string? Model, DateTimeOffset CreatedAt);

public sealed record ExportedUsage(
    Guid Id, string Model, string Source, Guid? ConversationId, Guid? MessageId, int PromptTokens, int CompletionTokens, bool Complete, DateTimeOffset CreatedAt);

public sealed record ExportedTokenEntry(
    Guid Id, DateOnly Month, string Model, long ReservedTokens, long? UsedTokens, string State, DateTimeOffset CreatedAt, DateTimeOffset? SettledAt);

public sealed record ExportedAuditEvent(
    Guid Id, DateTimeOffset OccurredAt, string Role, string? TokenId, string Action, string? ResourceType, string? ResourceId,
    string? Outcome, long? ResultCount, string? RequestId, string? ClientAddress);

public sealed record ExportedApiKey(Guid Id, string Name, string Hint, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed record ExportedConfigChange(Guid Id, string? ProviderKeyChange, DateTimeOffset CreatedAt);
