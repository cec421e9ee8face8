using Bulkhead.Crypto;
using Bulkhead.Host.Crypto;
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
    private KeyRing? _keys;

    public CliContext()
    {
        var configuration = new ConfigurationBuilder();
        configuration.AddBulkheadSources();
        var built = configuration.Build();
        Options = built.GetSection(BulkheadOptions.Section).Get<BulkheadOptions>() ?? new BulkheadOptions();
        KeysOptions = KeyProviders.Options(built);
    }

    public KeysOptions KeysOptions { get; }

    /// <summary>The same keys the server uses (Bulkhead:Keys), opened on first use.</summary>
    public KeyRing Keys => _keys ??= new KeyRing(KeyProviders.Create(KeysOptions), KeysOptions.CacheSize);

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

    public TenantProvisioner Provisioner => new(Owners, Keys);

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
