using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// Connection strings for any server and database, built from the two configured connections: every
/// server runs the same owner and runtime roles, so only host, port and database change.
/// </summary>
public sealed class ServerCredentials(string ownerConnection, string runtimeConnection)
{
    public ServerAddress Primary { get; } = Address(runtimeConnection);

    public string Owner(ServerAddress server, string? database) => For(ownerConnection, server, database);

    public string Runtime(ServerAddress server, string? database) => For(runtimeConnection, server, database);

    public bool CanOwn => ownerConnection.Length > 0;

    internal string OwnerPassword => new NpgsqlConnectionStringBuilder(ownerConnection).Password ?? "";

    internal string RuntimePassword => new NpgsqlConnectionStringBuilder(runtimeConnection).Password ?? "";

    private static ServerAddress Address(string connection)
    {
        var builder = new NpgsqlConnectionStringBuilder(connection);
        return new ServerAddress(Placement.PrimaryServer, builder.Host ?? "localhost", builder.Port);
    }

    private static string For(string template, ServerAddress server, string? database)
    {
        if (template.Length == 0)
        {
            throw new InvalidOperationException("The owner connection (Bulkhead:OwnerConnection) is not configured.");
        }

        var builder = new NpgsqlConnectionStringBuilder(template);
        if (server.Name != Placement.PrimaryServer)
        {
            builder.Host = server.Host;
            builder.Port = server.Port;
        }

        if (database is not null)
        {
            builder.Database = database;
        }

        return builder.ConnectionString;
    }
}
