namespace Bulkhead.Chat;

/// <summary>The configuration one chat call runs with, after tenant, plan and server defaults are applied.</summary>
public sealed record ChatSettings(
    string Model,
    float Temperature,
    int MaxTokens,
    string SystemPrompt,
    int? RetentionDays,
    IReadOnlyList<string> AllowedModels,
    byte[]? ProviderKeySealed);
