namespace Bulkhead.Host.Chat;

/// <summary>The server's chat settings (section <c>Bulkhead:Chat</c>): the last defaults and the model providers.</summary>
public sealed class ChatServerOptions
{
    /// <summary>The model a tenant gets when neither its configuration nor its plan names one.</summary>
    public string DefaultModel { get; set; } = OfflineChatClient.ModelName;

    public float DefaultTemperature { get; set; } = 0.7f;

    public string DefaultSystemPrompt { get; set; } = "You are a helpful assistant.";

    /// <summary>How many earlier messages of the conversation go with each call.</summary>
    public int HistoryMessages { get; set; } = 20;

    /// <summary>Base64 of 32 random bytes that seal tenants' own provider keys; the same on every instance.</summary>
    public string ProviderKeySecret { get; set; } = "";

    public OpenAIProviderOptions OpenAI { get; set; } = new();
}

/// <summary>Any OpenAI-compatible endpoint: OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp.</summary>
public sealed class OpenAIProviderOptions
{
    /// <summary>For example https://api.openai.com/v1 or http://127.0.0.1:11434/v1; unset means no OpenAI provider.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The server's key; a tenant may set its own, which then wins for that tenant.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The models this endpoint serves, which tenants may choose from.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>How long one attempt may take to start answering.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxRetries { get; set; } = 2;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);
}
