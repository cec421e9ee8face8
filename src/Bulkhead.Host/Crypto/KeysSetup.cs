using Bulkhead.Crypto;

namespace Bulkhead.Host.Crypto;

/// <summary>Sealed content: the key provider, the key ring that caches unwrapped keys, and the writer of its key events.</summary>
public static class KeysSetup
{
    public static IServiceCollection AddBulkheadKeys(this IServiceCollection services, IConfiguration configuration)
    {
        var options = KeyProviders.Options(configuration);
        services.AddSingleton(_ => KeyProviders.Create(options));
        services.AddSingleton<KeyEventWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyEventWriter>());
        services.AddSingleton(sp => new KeyRing(sp.GetRequiredService<IKeyProvider>(), options.CacheSize, sp.GetRequiredService<KeyEventWriter>()));
        services.AddSingleton<SealAlarm>();
        return services;
    }
}
