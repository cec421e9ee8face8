using Bulkhead.Crypto;

namespace Bulkhead.Host.Crypto;

/// <summary>Sealed content: the key provider and the key ring that caches unwrapped keys.</summary>
public static class KeysSetup
{
    public static IServiceCollection AddBulkheadKeys(this IServiceCollection services, IConfiguration configuration)
    {
        var options = KeyProviders.Options(configuration);
        services.AddSingleton(_ => KeyProviders.Create(options));
        services.AddSingleton(sp => new KeyRing(sp.GetRequiredService<IKeyProvider>(), options.CacheSize));
        services.AddSingleton<SealAlarm>();
        return services;
    }
}
