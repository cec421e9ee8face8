namespace Bulkhead.Chat;

/// <summary>The values a tenant admin has set; null means "use the plan's default".</summary>
public sealed record ChatOverrides(
    string? Model,
    float? Temperature,
    int? MaxTokens,
    string? SystemPrompt,
    int? RetentionDays,
    IReadOnlyList<string>? AllowedModels,
    byte[]? ProviderKeySealed)
{
    public static ChatOverrides None { get; } = new(null, null, null, null, null, null, null);
}
