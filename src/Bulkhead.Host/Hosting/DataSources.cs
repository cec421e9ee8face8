using Bulkhead.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bulkhead.Host.Hosting;

/// <summary>
/// The two roles' data sources, each registered once under its key. A plain <see cref="NpgsqlDataSource"/>
/// is the runtime role's, which row-level security binds: the owner role, which bypasses it, is only ever
/// had by asking for it by name.
/// </summary>
public static class DataSources
{
    public const string Runtime = "runtime";

    public const string Owner = "owner";

    public static IServiceCollection AddBulkheadDataSources(this IServiceCollection services)
    {
        services.AddKeyedSingleton(Runtime, (sp, _) => new NpgsqlDataSourceBuilder(RuntimeConnection.Prepared(Setting(
            sp, o => o.DatabaseConnection, "Bulkhead:DatabaseConnection is not set. Run './bulkhead up', or set Bulkhead__DatabaseConnection to a connection string for the bulkhead_app role."))).Build());
        services.AddKeyedSingleton(Owner, (sp, _) => NpgsqlDataSource.Create(OwnerSources.Maintenance(Setting(
            sp, o => o.OwnerConnection, "Bulkhead:OwnerConnection is not set. Run './bulkhead up', or set Bulkhead__OwnerConnection to a connection string for the bulkhead_owner role."))));
        services.AddSingleton(sp => sp.GetRequiredKeyedService<NpgsqlDataSource>(Runtime));
        services.AddSingleton(sp => new ServerCredentials(Options(sp).OwnerConnection, Options(sp).DatabaseConnection));
        return services;
    }

    /// <summary>Whether this process was given the owner connection: provisioning, moves, offboarding and analytics need it.</summary>
    public static bool HasOwner(IConfiguration configuration) => configuration[$"{BulkheadOptions.Section}:{nameof(BulkheadOptions.OwnerConnection)}"] is { Length: > 0 };

    private static BulkheadOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<BulkheadOptions>>().Value;

    private static string Setting(IServiceProvider services, Func<BulkheadOptions, string> setting, string missing) =>
        setting(Options(services)) is { Length: > 0 } value ? value : throw new MissingSettingException(missing);
}

/// <summary>A setting this command or server needs is not configured; the message says which and how to set it.</summary>
public sealed class MissingSettingException(string message) : InvalidOperationException(message);
