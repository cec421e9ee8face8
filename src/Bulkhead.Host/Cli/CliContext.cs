using Bulkhead.Host.Hosting;
using Npgsql;

namespace Bulkhead.Host.Cli;

/// <summary>What CLI verbs share: configuration and the owner and runtime data sources.</summary>
public sealed class CliContext : IAsyncDisposable
{
    private NpgsqlDataSource? _owner;
    private NpgsqlDataSource? _runtime;

    public CliContext()
    {
        var configuration = new ConfigurationBuilder();
        configuration.AddBulkheadSources();
        Options = configuration.Build().GetSection(BulkheadOptions.Section).Get<BulkheadOptions>() ?? new BulkheadOptions();
    }

    public BulkheadOptions Options { get; }

    public NpgsqlDataSource Owner => _owner ??= NpgsqlDataSource.Create(
        Options.OwnerConnection is { Length: > 0 } cs ? cs : throw new CliException(
            "Bulkhead:OwnerConnection is not set. Run './bulkhead up' first, or set Bulkhead__OwnerConnection."));

    public NpgsqlDataSource Runtime => _runtime ??= NpgsqlDataSource.Create(
        Options.DatabaseConnection is { Length: > 0 } cs ? cs : throw new CliException(
            "Bulkhead:DatabaseConnection is not set. Run './bulkhead up' first, or set Bulkhead__DatabaseConnection."));

    public async ValueTask DisposeAsync()
    {
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
