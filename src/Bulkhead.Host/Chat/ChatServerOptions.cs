using Bulkhead.Host.Chat.Providers;

namespace Bulkhead.Host.Chat;

/// <summary>The server's chat settings (section <c>Bulkhead:Chat</c>): the last defaults and the model providers.</summary>
public sealed class ChatServerOptions
{
    public const string LegacyEndpointName = "openai";

    /// <summary>The model a tenant gets when neither its configuration nor its plan names one.</summary>
    public string DefaultModel { get; set; } = OfflineChatClient.ModelName;

    public float DefaultTemperature { get; set; } = 0.7f;

    public string DefaultSystemPrompt { get; set; } = "You are a helpful assistant.";

    /// <summary>How many earlier messages of the conversation go with each call.</summary>
    public int HistoryMessages { get; set; } = 20;

    /// <summary>Base64 of 32 random bytes that seal tenants' own provider keys; the same on every instance.</summary>
    public string ProviderKeySecret { get; set; } = "";

    /// <summary>The single endpoint of earlier configurations (<c>Bulkhead:Chat:OpenAI</c>), still read.</summary>
    public OpenAIEndpointOptions OpenAI { get; set; } = new() { Name = LegacyEndpointName };

    /// <summary>The OpenAI-compatible endpoints (<c>Bulkhead:Chat:OpenAICompatible:0</c>, <c>:1</c>, …), side by side.</summary>
    public List<OpenAIEndpointOptions> OpenAICompatible { get; set; } = [];

    /// <summary>Every configured endpoint: <see cref="OpenAI"/> first (named <c>openai</c> unless named), then the list.</summary>
    public IReadOnlyList<OpenAIEndpointOptions> Endpoints => [.. OpenAI.Enabled ? [OpenAI] : Array.Empty<OpenAIEndpointOptions>(), .. OpenAICompatible];
}
