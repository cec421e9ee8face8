using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Host.Hosting;

/// <summary>Placements: the router every tenant session goes through, and the owner-side services the platform admin API uses.</summary>
public static class TiersSetup
{
    public static IServiceCollection AddBulkheadTiers(this IServiceCollection services, IConfiguration configuration, BulkheadOptions options)
    {
        var tierOptions = configuration.GetSection("Bulkhead:DatabaseTier").Get<DatabaseTierOptions>() ?? new DatabaseTierOptions();
        var credentials = new ServerCredentials(options.OwnerConnection, options.DatabaseConnection);
        services.AddSingleton(credentials);
        services.AddSingleton(sp => new ServerRegistry(sp.GetRequiredService<NpgsqlDataSource>(), credentials));
        services.AddSingleton(sp => new DatabaseSourceRegistry(credentials, tierOptions, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPlacementRouter>(sp => new PlacementRouter(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ServerRegistry>(), sp.GetRequiredService<DatabaseSourceRegistry>()));

        // The platform's privileged path: provisioning, moves, offboarding and analytics run as the owner
        // role, and only when the server is given the owner connection.
        if (options.OwnerConnection.Length > 0)
        {
            services.AddSingleton(sp =>
            {
                var owner = NpgsqlDataSource.Create(OwnerSources.Maintenance(options.OwnerConnection));
                return new OwnerSources(new ServerRegistry(owner, credentials), owner);
            });
            services.AddSingleton(sp => new TenantProvisioner(sp.GetRequiredService<OwnerSources>(), sp.GetRequiredService<Bulkhead.Crypto.KeyRing>()));
            services.AddSingleton(sp => new TenantMover(sp.GetRequiredService<OwnerSources>(), sp.GetRequiredService<TenantProvisioner>(), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<OffboardingService>();
            services.AddHostedService(sp => sp.GetRequiredService<OffboardingService>());
        }

        return services;
    }
}
