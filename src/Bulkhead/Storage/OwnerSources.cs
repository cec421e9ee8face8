using System.Collections.Concurrent;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// Owner-role data sources for maintenance work (provisioning, migrations, moves, offboarding) on any
/// server and database. Not on a request path; one small pool per database touched.
/// </summary>
public sealed class OwnerSources(ServerRegistry servers, NpgsqlDataSource controlPlane) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Server, string Database), NpgsqlDataSource> _sources = new();

    public NpgsqlDataSource ControlPlane => controlPlane;

    public ServerRegistry Servers => servers;

    /// <summary>The database that holds a placement's rows.</summary>
    public ValueTask<NpgsqlDataSource> ForAsync(Placement placement, CancellationToken ct) =>
        placement.Database is null ? ValueTask.FromResult(controlPlane) : ForAsync(placement.Server, placement.Database, ct);

    /// <summary>A database on a server; "postgres" is the maintenance database used to create and drop others.</summary>
    public async ValueTask<NpgsqlDataSource> ForAsync(string server, string database, CancellationToken ct)
    {
        if (_sources.TryGetValue((server, database), out var existing))
        {
            return existing;
        }

        var address = await servers.FindAsync(server, ct);
        var builder = new NpgsqlConnectionStringBuilder(Maintenance(servers.Credentials.Owner(address, database))) { MaxPoolSize = 8 };
        var created = NpgsqlDataSource.Create(builder.ConnectionString);
        if (_sources.TryAdd((server, database), created))
        {
            return created;
        }

        await created.DisposeAsync();
        return _sources[(server, database)];
    }

    /// <summary>
    /// An owner connection string for maintenance: copying, checking or purging a tenant of millions of
    /// rows takes longer than the default 30-second command timeout, so it gets ten minutes.
    /// </summary>
    public static string Maintenance(string ownerConnection) =>
        new NpgsqlConnectionStringBuilder(ownerConnection) { CommandTimeout = 600 }.ConnectionString;

    /// <summary>Closes the pool of a database about to be dropped.</summary>
    public async Task ForgetAsync(string server, string database)
    {
        if (_sources.TryRemove((server, database), out var source))
        {
            await source.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values)
        {
            await source.DisposeAsync();
        }

        _sources.Clear();
    }
}
