using Bulkhead.Host.Hosting;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bulkhead.Host.Cli;

/// <summary>
/// What CLI verbs share: the server's own composition (<see cref="BulkheadServices"/>, the same
/// configuration sources), built but never started, so no Kestrel and no background work.
/// </summary>
public sealed class CliContext : IAsyncDisposable
{
    private readonly IHost _host;

    public CliContext()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddBulkheadSources();
        // The verbs print their own output; nothing else writes to stdout.
        builder.Logging.ClearProviders();
        builder.AddBulkheadServices();
        _host = builder.Build();
    }

    public BulkheadOptions Options => Get<IOptions<BulkheadOptions>>().Value;

    /// <summary>The same keys the server uses (Bulkhead:Keys).</summary>
    public Bulkhead.Crypto.KeyRing Keys => Get<Bulkhead.Crypto.KeyRing>();

    /// <summary>The owner role on the control plane: migrations and control-plane writes.</summary>
    public NpgsqlDataSource Owner => _host.Services.GetRequiredKeyedService<NpgsqlDataSource>(DataSources.Owner);

    /// <summary>The runtime role, bound by row-level security, as the server connects.</summary>
    public NpgsqlDataSource Runtime => _host.Services.GetRequiredKeyedService<NpgsqlDataSource>(DataSources.Runtime);

    public ServerCredentials Credentials => Get<ServerCredentials>();

    /// <summary>Owner-role access to every server and database, for provisioning, migrations and moves.</summary>
    public OwnerSources Owners => Get<OwnerSources>();

    public TenantAdministration Administration => Get<TenantAdministration>();

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable host)
        {
            await host.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }
}
