using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bulkhead.Host.Hosting;

/// <summary>
/// Tenants and placements: the data sources, the router every tenant session goes through, the control
/// plane's catalogs and directory, and the owner-side administration that the platform API and the CLI share.
/// </summary>
public static class TenancySetup
{
    public const string TierSection = "Bulkhead:DatabaseTier";

    public static IServiceCollection AddBulkheadTenancy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBulkheadDataSources();
        services.AddOptions<DatabaseTierOptions>().BindConfiguration(TierSection)
            .Validate(o => o.MaxConnections >= 1 && o.PoolSizePerDatabase >= 1 && o.IdleTimeout > TimeSpan.Zero,
                "Bulkhead:DatabaseTier: MaxConnections and PoolSizePerDatabase must be at least 1, IdleTimeout positive.")
            .ValidateOnStart();
        services.AddSingleton(sp => new ServerRegistry(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ServerCredentials>()));
        services.AddSingleton(sp => new DatabaseSourceRegistry(
            sp.GetRequiredService<ServerCredentials>(), sp.GetRequiredService<IOptions<DatabaseTierOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPlacementRouter>(sp => new PlacementRouter(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ServerRegistry>(), sp.GetRequiredService<DatabaseSourceRegistry>()));
        services.AddSingleton(sp => new TenantCatalog(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new PlanCatalog(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TenantDirectory>();

        // The platform's privileged path runs as the owner role; resolving it without the owner connection
        // fails naming the setting (the platform routes answer 503 before that, see OwnerRoutes).
        services.AddSingleton(sp =>
        {
            var owner = sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSources.Owner);
            return new OwnerSources(new ServerRegistry(owner, sp.GetRequiredService<ServerCredentials>()), owner);
        });
        services.AddSingleton<TenantProvisioner>();
        services.AddSingleton<TenantMover>();
        services.AddSingleton<TenantAnalytics>();
        services.AddSingleton<TenantAdministration>();
        if (DataSources.HasOwner(configuration))
        {
            services.AddSingleton<OffboardingService>();
            services.AddHostedService(sp => sp.GetRequiredService<OffboardingService>());
        }

        return services;
    }
}
