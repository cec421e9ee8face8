using Bulkhead.Host.Audit;
using Bulkhead.Host.Chat;
using Bulkhead.Host.Compliance;
using Bulkhead.Host.Crypto;
using Bulkhead.Host.Limits;
using Bulkhead.Host.Observability;

namespace Bulkhead.Host.Hosting;

/// <summary>
/// Every feature's services, one <c>AddX</c> each: the composition the server and the CLI both build, so
/// that a CLI verb works with exactly the objects the server would (the CLI only never starts the host).
/// </summary>
public static class BulkheadServices
{
    public static IHostApplicationBuilder AddBulkheadServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<BulkheadOptions>().BindConfiguration(BulkheadOptions.Section)
            .Validate(o => IsKey(o.CursorKey) && IsKey(o.ApiKeySecret), "Bulkhead:CursorKey and Bulkhead:ApiKeySecret must be empty or base64 of 32 random bytes.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddBulkheadKeys(configuration);
        services.AddBulkheadTenancy(configuration);
        services.AddBulkheadShutdown();
        services.AddBulkheadLimits(configuration);
        services.AddBulkheadChat();
        services.AddBulkheadObservability(configuration);
        services.AddBulkheadAudit();
        services.AddBulkheadCompliance();
        return builder;
    }

    private static bool IsKey(string value)
    {
        Span<byte> bytes = stackalloc byte[64];
        return value.Length == 0 || (Convert.TryFromBase64String(value, bytes, out var written) && written >= 32);
    }
}
