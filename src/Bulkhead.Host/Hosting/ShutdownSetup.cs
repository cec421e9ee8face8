using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Hosting;

/// <summary>Graceful shutdown: the drain before the server stops, and a host timeout that leaves room for it.</summary>
public static class ShutdownSetup
{
    /// <summary>
    /// What the host needs beyond the grace period: a request cancelled when the grace period ends still
    /// records its model call (within <see cref="Chat.Engine.ChatEngine.RecordDeadline"/>), then the
    /// background services stop.
    /// </summary>
    public static readonly TimeSpan StopMargin = Chat.Engine.ChatEngine.RecordDeadline + TimeSpan.FromSeconds(5);

    public static IServiceCollection AddBulkheadShutdown(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section)
            .Validate(o => o.IsValid, "Bulkhead:Shutdown:GracePeriod and DrainDelay must not be negative, and DrainDelay must not exceed GracePeriod.")
            .ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.GracePeriod + StopMargin);
        services.AddSingleton<NodeDrain>();
        services.AddSingleton<Api.ReadinessProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeDrain>());
        return services;
    }

    public static IApplicationBuilder UseBulkheadShutdown(this IApplicationBuilder app) => app.UseMiddleware<DrainGate>();
}
