using Bulkhead.Audit;
using Npgsql;

namespace Bulkhead.Host.Audit;

/// <summary>Alerts: the store, the dispatcher that works off the request path, the webhook and the in-memory pattern trackers.</summary>
public static class AuditSetup
{
    public static IServiceCollection AddBulkheadAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.Section))
            .Validate(o => o.WebhookUrl is not { Length: > 0 } || (Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"),
                "Bulkhead:Alerts:WebhookUrl must be an absolute http(s) URL.")
            .Validate(o => o.WebhookUrl is not { Length: > 0 } || o.WebhookSecret is { Length: >= 16 },
                "Bulkhead:Alerts:WebhookSecret of at least 16 characters is required with a webhook: receivers must be able to check the signature.")
            .Validate(o => o.WebhookAttempts >= 1 && o.EnumerationThreshold >= 2 && o.MaxTracked >= 100, "Bulkhead:Alerts has an out-of-range value.")
            .ValidateOnStart();
        services.AddSingleton(sp => new AlertStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AlertThrottle>();
        services.AddSingleton<PatternTracker>();
        services.AddHttpClient(AlertWebhook.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<AlertWebhook>();
        services.AddSingleton<AlertDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        return services;
    }
}
