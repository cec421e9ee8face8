using Bulkhead.Audit;
using Bulkhead.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bulkhead.Host.Audit;

/// <summary>
/// The trail's sealer and checkpoints, and the alerts: the store, the dispatcher that works off the request
/// path, the webhook and the in-memory pattern trackers.
/// </summary>
public static class AuditSetup
{
    public static IServiceCollection AddBulkheadAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section)
            .Validate(o => o.SealInterval >= TimeSpan.FromMilliseconds(50) && o.SealInterval <= TimeSpan.FromSeconds(1),
                "Bulkhead:Audit:SealInterval must be between 50ms and 1s: the trail is sealed at least every second.")
            .Validate(o => o.CheckpointInterval >= o.SealInterval && o.MaxCheckpointAge > o.CheckpointInterval,
                "Bulkhead:Audit:CheckpointInterval must be at least SealInterval, and MaxCheckpointAge longer than CheckpointInterval.")
            .Validate(o => o.MaxBlockEvents >= 1 && o.Parallelism >= 1, "Bulkhead:Audit has an out-of-range value.")
            .Validate(o => o.WitnessUrl is not { Length: > 0 } || (Uri.TryCreate(o.WitnessUrl, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"),
                "Bulkhead:Audit:WitnessUrl must be an absolute http(s) URL.")
            .ValidateOnStart();
        services.AddSingleton<ICheckpointKey>(sp => CheckpointKeyFile.Load(sp.GetRequiredService<IOptions<AuditOptions>>().Value.SigningKeyPath));
        services.AddSingleton<ICheckpointStore>(sp => new DirectoryCheckpointStore(
            sp.GetRequiredService<IOptions<AuditOptions>>().Value.CheckpointPathFor(sp.GetRequiredService<NpgsqlDataSource>().ConnectionString)));
        services.AddHttpClient(CheckpointPublisher.WitnessClient, c => c.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<CheckpointPublisher>();
        services.AddSingleton(sp => new AuditSealer(
            sp.GetRequiredService<IPlacementRouter>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AuditOptions>>().Value.MaxBlockEvents));
        services.AddSingleton<AuditSealerService>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditSealerService>());

        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section)
            .Validate(o => o.WebhookUrl is not { Length: > 0 } || (Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"),
                "Bulkhead:Alerts:WebhookUrl must be an absolute http(s) URL.")
            .Validate(o => o.WebhookUrl is not { Length: > 0 } || o.WebhookSecret is { Length: >= 16 },
                "Bulkhead:Alerts:WebhookSecret of at least 16 characters is required with a webhook: receivers must be able to check the signature.")
            .Validate(o => o.WebhookAttempts >= 1 && o.EnumerationThreshold >= 2 && o.MaxTracked >= 100
                && o.ProbeChecksPerMinute >= 1 && o.ProbeQueue >= 1 && o.AlertQueue >= 100, "Bulkhead:Alerts has an out-of-range value.")
            .ValidateOnStart();
        services.AddSingleton(sp => new AlertStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AlertThrottle>();
        services.AddSingleton<PatternTracker>();
        services.AddSingleton<ProbeBudget>();
        services.AddHttpClient(AlertWebhook.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<AlertWebhook>();
        services.AddSingleton<AlertDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        return services;
    }
}
