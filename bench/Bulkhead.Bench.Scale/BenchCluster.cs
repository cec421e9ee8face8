using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Bench.Scale;

/// <summary>
/// The PostgreSQL cluster the benchmark runs on, as <c>./bulkhead bench</c> hands it over in the environment:
/// host, port and the passwords of the superuser, the owner and the runtime role. One database per data set.
/// </summary>
public sealed record BenchCluster(string Host, int Port, string SuperPassword, string OwnerPassword, string AppPassword, string Database)
{
    public static BenchCluster FromEnvironment(string database)
    {
        static string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new ArgumentException($"{name} is not set; run the benchmark through './bulkhead bench'.");
        return new BenchCluster(
            Need("BULKHEAD_BENCH_PG_HOST"), int.Parse(Need("BULKHEAD_BENCH_PG_PORT"), System.Globalization.CultureInfo.InvariantCulture),
            Need("BULKHEAD_BENCH_SUPER_PASSWORD"), Need("BULKHEAD_BENCH_OWNER_PASSWORD"), Need("BULKHEAD_BENCH_APP_PASSWORD"), database);
    }

    // Loopback, no TLS: the round-trip counter reads the protocol in the clear, and TLS is not what is measured.
    private string Connection(string user, string password, string database, int port) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = port,
            Database = database,
            Username = user,
            Password = password,
            SslMode = SslMode.Disable,
            GssEncryptionMode = GssEncryptionMode.Disable,
            MaxPoolSize = 100,
            ApplicationName = "bulkhead-bench",
        }.ConnectionString;

    public string Super(string database = "postgres") => Connection("postgres", SuperPassword, database, Port);

    public string Owner(int? port = null) => Connection("bulkhead_owner", OwnerPassword, Database, port ?? Port);

    public string App(int? port = null) => Connection("bulkhead_app", AppPassword, Database, port ?? Port);

    /// <summary>Owner-role sources for provisioning, migrations and moves, as the CLI builds them.</summary>
    public OwnerSources OwnerSources(NpgsqlDataSource owner) =>
        new(new ServerRegistry(owner, Credentials()), owner);

    public ServerCredentials Credentials() => new(Owner(), App());

    public async Task<bool> DatabaseExistsAsync(CancellationToken ct)
    {
        await using var super = new NpgsqlConnection(Super());
        await super.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select exists (select 1 from pg_database where datname = $1)", super);
        command.Parameters.Add(new NpgsqlParameter { Value = Database });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Drops the data set's database and its tenants' own databases, and creates it empty.</summary>
    public async Task RecreateAsync(CancellationToken ct)
    {
        var tenantDatabases = new List<string>();
        if (await DatabaseExistsAsync(ct))
        {
            try
            {
                await using var owner = new NpgsqlConnection(Owner());
                await owner.OpenAsync(ct);
                await using var list = new NpgsqlCommand("select database from control.placements where database is not null", owner);
                await using var reader = await list.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    tenantDatabases.Add(reader.GetString(0));
                }
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
            {
                // Never migrated: no tenant databases.
            }
        }

        NpgsqlConnection.ClearAllPools();
        await using var super = new NpgsqlConnection(Super());
        await super.OpenAsync(ct);
        foreach (var database in tenantDatabases.Append(Database))
        {
            await using var drop = new NpgsqlCommand($"drop database if exists {Migrator.Quote(database)} with (force)", super);
            await drop.ExecuteNonQueryAsync(ct);
        }

        await using var create = new NpgsqlCommand($"create database {Migrator.Quote(Database)} owner bulkhead_owner", super);
        await create.ExecuteNonQueryAsync(ct);
    }
}
