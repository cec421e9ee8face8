namespace Bulkhead.Host.Chat.Providers;

/// <summary>
/// One OpenAI-compatible endpoint: OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp. Any number are listed
/// under <c>Bulkhead:Chat:OpenAICompatible</c>; the older single <c>Bulkhead:Chat:OpenAI</c> is one more, named <c>openai</c>.
/// </summary>
public sealed class OpenAIEndpointOptions
{
    /// <summary>Tells endpoints apart in logs and in the resilience pipeline; unique.</summary>
    public string Name { get; set; } = "";

    /// <summary>For example https://api.openai.com/v1 or http://127.0.0.1:11434/v1; unset means no such endpoint.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The server's key; a tenant may set its own, which then wins for that tenant.</summary>
    public string? ApiKey { get; set; }

    /// <summary>False keeps tenants' own keys away from this endpoint (a local server has no use for them).</summary>
    public bool TenantKeys { get; set; } = true;

    /// <summary>The models this endpoint serves, which tenants may choose from.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>How long one attempt may take to start answering.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxRetries { get; set; } = 2;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);
}
