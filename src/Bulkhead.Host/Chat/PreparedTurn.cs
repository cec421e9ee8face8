using Bulkhead.Chat;
using Bulkhead.Host.Auth;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat;

/// <summary>Everything a chat call needs, read and checked before the model is called.</summary>
public sealed record PreparedTurn(
    TenantCaller Caller,
    Guid ConversationId,
    bool CreatesConversation,
    string Content,
    ChatSettings Settings,
    IList<ChatMessage> Messages)
{
    public string Model => Settings.Model;

    public Microsoft.Extensions.AI.ChatOptions Options => new()
    {
        ModelId = Settings.Model,
        Temperature = Settings.Temperature,
        MaxOutputTokens = Settings.MaxTokens,
    };

    public string Title => Content.Length <= 60 ? Content : Content[..(char.IsHighSurrogate(Content[59]) ? 59 : 60)] + "…";
}
