using System.ClientModel;
using System.ClientModel.Primitives;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using Polly.Timeout;

namespace Bulkhead.Host.Chat.Providers;

/// <summary>
/// The OpenAI-compatible endpoints (<see cref="ChatServerOptions.Endpoints"/>), each serving its own
/// models through the OpenAI SDK over the resilient HTTP client of <see cref="EndpointResilience"/>.
/// </summary>
public sealed class OpenAICompatibleProvider(IOptions<BulkheadOptions> options, IHttpClientFactory http) : IModelProvider
{
    private IReadOnlyList<OpenAIEndpointOptions> Endpoints => options.Value.Chat.Endpoints;

    public IReadOnlyList<string> Models => [.. Endpoints.SelectMany(e => e.Models)];

    public IChatClient Create(string model, Func<string?> tenantKey)
    {
        var endpoint = Endpoints.First(e => e.Models.Contains(model, StringComparer.Ordinal));
        var key = (endpoint.TenantKeys ? tenantKey() : null) ?? (endpoint.ApiKey is { Length: > 0 } serverKey ? serverKey : "none");
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint.BaseUrl!),
            Transport = new HttpClientPipelineTransport(http.CreateClient(EndpointResilience.HttpClientName)),
            // Retries and timeouts belong to the HTTP resilience pipeline, so they are configured once.
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        return new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(key), clientOptions).AsIChatClient();
    }

    public ModelFailure Classify(Exception failure) =>
        ModelFailure.Of(failure, e => e is TimeoutRejectedException, failure is ClientResultException { Status: > 0 } answered ? answered.Status : null);
}
