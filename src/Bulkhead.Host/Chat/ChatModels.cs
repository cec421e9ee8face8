using System.ClientModel;
using System.ClientModel.Primitives;
using Bulkhead.Chat;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Bulkhead.Host.Chat;

/// <summary>
/// The models this server serves and the <see cref="IChatClient"/> pipeline for each call: the provider's
/// client wrapped in logging and OpenTelemetry. <c>offline</c> is always there; the OpenAI-compatible
/// endpoint's models when one is configured.
/// </summary>
public sealed class ChatModels(
    IOptions<BulkheadOptions> options, OfflineChatClient offline, IHttpClientFactory http, ProviderKeySealer sealer, ILoggerFactory logs)
{
    public const string HttpClientName = "bulkhead-llm";
    public const string TelemetrySource = "Bulkhead.Chat";

    private ChatServerOptions Chat => options.Value.Chat;

    public IReadOnlyList<string> Served =>
        [OfflineChatClient.ModelName, .. Chat.OpenAI.Enabled ? Chat.OpenAI.Models : []];

    public ServerChatDefaults Defaults => new(Chat.DefaultModel, Chat.DefaultTemperature, Chat.DefaultSystemPrompt, Served);

    public bool Serves(string model) => Served.Contains(model, StringComparer.Ordinal);

    /// <summary>A client for one call of one tenant; a tenant's own provider key is opened only here, in memory.</summary>
    public IChatClient Create(Guid tenantId, ChatSettings settings, string model)
    {
        IChatClient inner;
        if (model == OfflineChatClient.ModelName)
        {
            inner = offline;
        }
        else if (Chat.OpenAI.Enabled && Serves(model))
        {
            var key = settings.ProviderKeySealed is { } sealedKey
                ? OpenTenantKey(tenantId, sealedKey)
                : Chat.OpenAI.ApiKey is { Length: > 0 } serverKey ? serverKey : "none";
            var clientOptions = new OpenAIClientOptions
            {
                Endpoint = new Uri(Chat.OpenAI.BaseUrl!),
                Transport = new HttpClientPipelineTransport(http.CreateClient(HttpClientName)),
                // Retries and timeouts belong to the HTTP resilience pipeline, so they are configured once.
                RetryPolicy = new ClientRetryPolicy(0),
                NetworkTimeout = Timeout.InfiniteTimeSpan,
            };
            inner = new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(key), clientOptions).AsIChatClient();
        }
        else
        {
            throw new ModelUnavailableException($"The configured model '{model}' is not served by this server; a tenant admin can choose another in /api/tenant/config.");
        }

        return new ChatClientBuilder(inner)
            .UseLogging(logs)
            .UseOpenTelemetry(logs, TelemetrySource)
            .Build();
    }

    private string OpenTenantKey(Guid tenantId, byte[] sealedKey)
    {
        try
        {
            return sealer.Open(tenantId, sealedKey);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The server's sealing secret changed since the key was stored.
            throw new ModelUnavailableException("The tenant's own provider key cannot be opened with this server's secret; a tenant admin can set it again in /api/tenant/config.");
        }
    }
}

/// <summary>The call cannot be made as configured: the model is no longer served, or the tenant's key does not open.</summary>
public sealed class ModelUnavailableException(string detail) : Exception(detail);
