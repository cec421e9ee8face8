using Bulkhead.Host.Hosting;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Host.Cli;

/// <summary>What CLI verbs share: configuration and the owner and runtime data sources.</summary>
public sealed class CliContext : IAsyncDisposable
{
    private NpgsqlDataSource? _owner;
    private NpgsqlDataSource? _runtime;
    private OwnerSources? _owners;

    public CliContext()
    {
        var configuration = new ConfigurationBuilder();
        configuration.AddBulkheadSources();
        Options = configuration.Build().GetSection(BulkheadOptions.Section).Get<BulkheadOptions>() ?? new BulkheadOptions();
    }

    public BulkheadOptions Options { get; }

    public NpgsqlDataSource Owner => _owner ??= NpgsqlDataSource.Create(
        Options.OwnerConnection is { Length: > 0 } cs ? OwnerSources.Maintenance(cs) : throw new CliException(
            "Bulkhead:OwnerConnection is not set. Run './bulkhead up' first, or set Bulkhead__OwnerConnection."));

    public NpgsqlDataSource Runtime => _runtime ??= NpgsqlDataSource.Create(
        Options.DatabaseConnection is { Length: > 0 } cs ? cs : throw new CliException(
            "Bulkhead:DatabaseConnection is not set. Run './bulkhead up' first, or set Bulkhead__DatabaseConnection."));

    public ServerCredentials Credentials => new(Options.OwnerConnection, Options.DatabaseConnection);

    /// <summary>Owner-role access to every server and database, for provisioning, migrations and moves.</summary>
    public OwnerSources Owners => _owners ??= new OwnerSources(new ServerRegistry(Owner, Credentials), Owner);

    public TenantProvisioner Provisioner => new(Owners);

    public async ValueTask DisposeAsync()
    {
        if (_owners is not null)
        {
            await _owners.DisposeAsync();
        }

        if (_owner is not null)
        {
            await _owner.DisposeAsync();
        }

        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
    }
}
