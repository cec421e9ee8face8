using Bulkhead.Compliance;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Host.Compliance;

public static class ComplianceSetup
{
    public static IServiceCollection AddBulkheadCompliance(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section)
            .Validate(o => o.Interval >= TimeSpan.FromSeconds(1) && o.Parallelism >= 1, "Bulkhead:Retention:Interval must be at least 1s and Parallelism at least 1.")
            .ValidateOnStart();
        services.AddSingleton(sp => new RetentionSweep(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IPlacementRouter>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        return services;
    }
}
