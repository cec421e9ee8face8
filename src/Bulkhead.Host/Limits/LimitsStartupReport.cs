using Bulkhead.Limits;
using StackExchange.Redis;

namespace Bulkhead.Host.Limits;

/// <summary>Says at start-up where rate-limit decisions are made, so that an operator never runs several instances on in-process limits unknowingly.</summary>
public sealed class LimitsStartupReport(LimitsOptions options, IServiceProvider services, ILogger<LimitsStartupReport> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            log.LogWarning("Request rate limits are disabled (Bulkhead:Limits:Enabled=false)");
        }
        else if (services.GetService<IConnectionMultiplexer>() is { } redis)
        {
            log.LogInformation("Rate limits are decided in Redis ({Endpoints}, connected: {Connected}); while it does not answer: {Mode}",
                string.Join(",", redis.GetEndPoints().Select(e => e.ToString())), redis.IsConnected, options.RedisFailureMode);
        }
        else
        {
            log.LogWarning(
                "No Redis configured (Bulkhead:Limits:Redis): rate limits are decided in this process only, which is right for one instance only");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
