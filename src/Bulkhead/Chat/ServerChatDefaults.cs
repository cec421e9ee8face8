namespace Bulkhead.Chat;

/// <summary>The last link of the precedence chain: what the server uses when neither tenant nor plan says.</summary>
public sealed record ServerChatDefaults(string Model, float Temperature, string SystemPrompt, IReadOnlyList<string> Models);
