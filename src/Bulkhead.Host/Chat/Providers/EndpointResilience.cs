using System.Net;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Bulkhead.Host.Chat.Providers;

/// <summary>
/// The HTTP client of the OpenAI-compatible endpoints: the standard resilience strategies (rate limiter,
/// total timeout, retries with backoff, circuit breaker, attempt timeout), one pipeline per endpoint with
/// that endpoint's timeouts and retries, so a slow local server does not trip the breaker of another.
/// </summary>
public static class EndpointResilience
{
    public const string HttpClientName = "bulkhead-llm";

    public static IServiceCollection AddEndpointHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(HttpClientName, (pipeline, context) =>
            {
                var endpoints = context.ServiceProvider.GetRequiredService<IOptions<BulkheadOptions>>().Value.Chat.Endpoints;
                var strategies = Strategies(endpoints.FirstOrDefault(e => e.Name == context.InstanceName) ?? new OpenAIEndpointOptions());
                pipeline.AddRateLimiter(strategies.RateLimiter)
                    .AddTimeout(strategies.TotalRequestTimeout)
                    .AddRetry(strategies.Retry)
                    .AddCircuitBreaker(strategies.CircuitBreaker)
                    .AddTimeout(strategies.AttemptTimeout);
            })
            .SelectPipelineBy(sp =>
            {
                var options = sp.GetRequiredService<IOptions<BulkheadOptions>>();
                return request => EndpointOf(options.Value.Chat.Endpoints, request.RequestUri)?.Name ?? "";
            });
        return services;
    }

    /// <summary>The endpoint whose base URL the request goes to (the longest that matches).</summary>
    public static OpenAIEndpointOptions? EndpointOf(IEnumerable<OpenAIEndpointOptions> endpoints, Uri? request) =>
        request is null ? null : endpoints
            .Where(e => e.Enabled && request.AbsoluteUri.StartsWith(e.BaseUrl!.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            .MaxBy(e => e.BaseUrl!.Length);

    public static HttpStandardResilienceOptions Strategies(OpenAIEndpointOptions endpoint)
    {
        var resilience = new HttpStandardResilienceOptions();
        resilience.AttemptTimeout.Timeout = endpoint.AttemptTimeout;
        resilience.Retry.Delay = endpoint.RetryDelay;
        resilience.Retry.MaxRetryAttempts = Math.Max(1, endpoint.MaxRetries);
        if (endpoint.MaxRetries == 0)
        {
            resilience.Retry.ShouldHandle = _ => PredicateResult.False();
        }

        // The breaker judges the endpoint, not a caller: a 429 answers one key's quota (a tenant's own key,
        // say), so it is retried after its delay but never opens the circuit for every tenant. 401 and 403
        // are not transient and never count either.
        resilience.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(
            args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(args.Outcome));

        var budget = (endpoint.AttemptTimeout + endpoint.RetryDelay) * (endpoint.MaxRetries + 1) * 2;
        resilience.TotalRequestTimeout.Timeout = budget;
        resilience.CircuitBreaker.SamplingDuration = budget > TimeSpan.FromSeconds(30) ? budget : TimeSpan.FromSeconds(30);
        return resilience;
    }
}
