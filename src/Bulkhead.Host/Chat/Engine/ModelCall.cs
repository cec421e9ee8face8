using Bulkhead.Chat;
using Bulkhead.Tenancy;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat.Engine;

/// <summary>
/// One call of one tenant's user to a model, with the tenant's configuration applied: what every door
/// (a conversation turn, the OpenAI-compatible door, streaming or not) hands to <see cref="ChatEngine"/>.
/// </summary>
public sealed record ModelCall(TenantScope Tenant, string Sub, ChatSettings Settings, IList<ChatMessage> Messages, ChatOptions Options)
{
    public string Model => Settings.Model;

    /// <summary>The most the reply may use, reserved from the quota before the call.</summary>
    public int MaxTokens => Options.MaxOutputTokens ?? Settings.MaxTokens;

    /// <summary>
    /// A call with the tenant's system prompt first. A request may lower the temperature's default and
    /// max_tokens, never raise max_tokens above the tenant's.
    /// </summary>
    public static ModelCall Create(
        TenantScope tenant, string sub, ChatSettings settings, IEnumerable<ChatMessage> messages, float? temperature = null, int? maxTokens = null) =>
        new(tenant, sub, settings, [new ChatMessage(ChatRole.System, settings.SystemPrompt), .. messages], new ChatOptions
        {
            ModelId = settings.Model,
            Temperature = temperature ?? settings.Temperature,
            MaxOutputTokens = Math.Min(maxTokens ?? settings.MaxTokens, settings.MaxTokens),
        });
}
