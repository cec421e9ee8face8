using Bulkhead.Chat;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Bulkhead.Host.Chat;

/// <summary>Wires the chatbot: models, the provider's HTTP client with timeouts and retries, and the endpoints.</summary>
public static class ChatRegistration
{
    public static IServiceCollection AddBulkheadChat(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ChatPlanCatalog(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<OfflineChatClient>();
        services.AddSingleton<ProviderKeySealer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BulkheadOptions>, ProviderKeyCheck>());
        services.AddOptions<BulkheadOptions>().ValidateOnStart();
        services.AddSingleton<ChatModels>();
        services.AddScoped<ChatAdmission>();
        services.AddScoped<ChatService>();

        services.AddHttpClient(ChatModels.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler()
            .Configure((resilience, sp) =>
            {
                var openAI = sp.GetRequiredService<IOptions<BulkheadOptions>>().Value.Chat.OpenAI;
                resilience.AttemptTimeout.Timeout = openAI.AttemptTimeout;
                resilience.Retry.Delay = openAI.RetryDelay;
                resilience.Retry.MaxRetryAttempts = Math.Max(1, openAI.MaxRetries);
                if (openAI.MaxRetries == 0)
                {
                    resilience.Retry.ShouldHandle = _ => PredicateResult.False();
                }

                var budget = (openAI.AttemptTimeout + openAI.RetryDelay) * (openAI.MaxRetries + 1) * 2;
                resilience.TotalRequestTimeout.Timeout = budget;
                resilience.CircuitBreaker.SamplingDuration = budget > TimeSpan.FromSeconds(30) ? budget : TimeSpan.FromSeconds(30);
            });
        return services;
    }

    public static IEndpointRouteBuilder MapChatApis(this IEndpointRouteBuilder app)
    {
        app.MapChatApi();
        app.MapTenantConfigApi();
        app.MapApiKeysApi();
        app.MapOpenAIDoorApi();
        return app;
    }
}
