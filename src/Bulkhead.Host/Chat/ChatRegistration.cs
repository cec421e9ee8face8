using Bulkhead.Chat;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat;

/// <summary>Wires the chatbot: the model providers and their HTTP client and the chat engine (its APIs are mapped by <c>BulkheadApp</c>).</summary>
public static class ChatRegistration
{
    public static IServiceCollection AddBulkheadChat(this IServiceCollection services)
    {
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<OfflineChatClient>();
        services.AddSingleton<ProviderKeySealer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BulkheadOptions>, ProviderKeyCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BulkheadOptions>, EndpointCheck>());
        services.AddSingleton<IModelProvider, OfflineProvider>();
        services.AddSingleton<IModelProvider, OpenAICompatibleProvider>();
        services.AddSingleton<ModelProviders>();
        services.AddEndpointHttpClient();
        services.AddScoped<ChatAdmission>();
        services.AddScoped<ChatEngine>();
        services.AddScoped<ChatService>();
        return services;
    }
}
