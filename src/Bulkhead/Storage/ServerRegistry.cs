using System.Collections.Concurrent;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>The servers of control.servers, plus the primary (the control plane's own server).</summary>
public sealed class ServerRegistry(NpgsqlDataSource controlPlane, ServerCredentials credentials)
{
    private readonly ConcurrentDictionary<string, ServerAddress> _known = new(StringComparer.Ordinal);

    public ServerCredentials Credentials => credentials;

    public async ValueTask<ServerAddress> FindAsync(string name, CancellationToken ct)
    {
        if (name == Placement.PrimaryServer)
        {
            return credentials.Primary;
        }

        if (_known.TryGetValue(name, out var known))
        {
            return known;
        }

        var server = (await ListAsync(ct)).FirstOrDefault(s => s.Name == name)
            ?? throw new UnknownServerException(name);
        return _known[name] = server;
    }

    public async Task<IReadOnlyList<ServerAddress>> ListAsync(CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand("select name, host, port from control.servers order by name");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var servers = new List<ServerAddress>();
        while (await reader.ReadAsync(ct))
        {
            servers.Add(new ServerAddress(reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
        }

        return servers;
    }

    /// <summary>
    /// Registers a server after creating the owner and runtime roles on it with the configured passwords.
    /// The admin connection is used once and never stored; only host and port are.
    /// </summary>
    public async Task<ServerAddress> AddAsync(string name, string adminConnection, CancellationToken ct)
    {
        if (name == Placement.PrimaryServer || !System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9][a-z0-9-]{0,62}$"))
        {
            throw new TenantRuleException("server name must be 1-63 characters of a-z, 0-9 and '-', and not 'primary'.");
        }

        var admin = new NpgsqlConnectionStringBuilder(adminConnection);
        var server = new ServerAddress(name, admin.Host ?? "localhost", admin.Port);
        await using (var connection = new NpgsqlConnection(adminConnection))
        {
            await connection.OpenAsync(ct);
            await RoleBootstrap.RunAsync(connection, credentials, ct);
        }

        // Prove that both roles can log in before the server is used for anything.
        foreach (var cs in new[] { credentials.Owner(server, "postgres"), credentials.Runtime(server, "postgres") })
        {
            await using var probe = new NpgsqlConnection(cs);
            await probe.OpenAsync(ct);
        }

        await using var insert = controlPlane.CreateCommand(
            "insert into control.servers (name, host, port) values ($1, $2, $3) on conflict (name) do update set host = excluded.host, port = excluded.port");
        insert.Parameters.Add(new NpgsqlParameter { Value = server.Name });
        insert.Parameters.Add(new NpgsqlParameter { Value = server.Host });
        insert.Parameters.Add(new NpgsqlParameter { Value = server.Port });
        await insert.ExecuteNonQueryAsync(ct);
        _known[name] = server;
        return server;
    }
}

public sealed class UnknownServerException(string name) : TenantRuleException($"no server named '{name}'. See './bulkhead servers list'.");
