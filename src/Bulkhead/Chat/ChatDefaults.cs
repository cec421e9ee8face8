namespace Bulkhead.Chat;

/// <summary>What the tenant's plan sets for chat; a null field falls back to the server's default.</summary>
public sealed record ChatDefaults(
    string Plan,
    int PlanMaxTokens,
    string? Model,
    float? Temperature,
    string? SystemPrompt,
    int? RetentionDays,
    IReadOnlyList<string>? Models);
