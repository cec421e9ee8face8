using Npgsql;

namespace Bulkhead.Storage;

/// <summary>Creates the owner and runtime roles on a server, from the embedded bootstrap.sql.</summary>
public static class RoleBootstrap
{
    public static async Task RunAsync(NpgsqlConnection admin, ServerCredentials credentials, CancellationToken ct)
    {
        using var stream = typeof(RoleBootstrap).Assembly.GetManifestResourceStream("bootstrap.sql")!;
        using var text = new StreamReader(stream);
        await using var batch = new NpgsqlBatch(admin);
        batch.BatchCommands.Add(Sql.Command("select set_config('bulkhead.owner_password', $1, false)", credentials.OwnerPassword));
        batch.BatchCommands.Add(Sql.Command("select set_config('bulkhead.app_password', $1, false)", credentials.RuntimePassword));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(await text.ReadToEndAsync(ct)));
        await batch.ExecuteNonQueryAsync(ct);
    }
}
