using Bulkhead.Audit;
using Bulkhead.Host.Audit;
using Bulkhead.Tenancy;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;

namespace Bulkhead.Tests.Audit;

/// <summary>Reads a tenant's audit events as the owner role, and runs <c>audit verify</c>, for assertions.</summary>
public static class AuditEvents
{
    public static async Task<List<AuditEvent>> ReadAsync(TestDatabase db, Tenant tenant)
    {
        var placement = (await db.Catalog.FindAsync(tenant.Id, CancellationToken.None))!.Placement;
        var source = await db.Owners.ForAsync(placement, CancellationToken.None);
        await using var command = source.CreateCommand(
            $"select {AuditEvent.Columns} from {placement.Schema}.audit_events where tenant_id = $1 order by xid, id");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<AuditEvent>();
        while (await reader.ReadAsync())
        {
            events.Add(AuditEvent.Read(reader));
        }

        return events;
    }

    public static string TokenId(string token) => new JsonWebToken(token).Id;

    /// <summary>Verifies against the checkpoints a server of this process publishes (the default directory of this database, and key).</summary>
    public static async Task<(int Code, string Output)> VerifyAsync(TestDatabase db, string? tenant = null)
    {
        var options = new AuditOptions();
        using var key = CheckpointKeyFile.Load(options.SigningKeyPath);
        return await VerifyAsync(db, tenant, new DirectoryCheckpointStore(options.CheckpointPathFor(db.AppConnection)), key);
    }

    public static async Task<(int Code, string Output)> VerifyAsync(
        TestDatabase db, string? tenant, ICheckpointStore checkpoints, ICheckpointKey key, TimeProvider? time = null, TimeSpan? maxAge = null)
    {
        using var output = new StringWriter();
        var code = await Bulkhead.Host.Cli.AuditCommand.VerifyAsync(
            db.Owners, db.Catalog, tenant, checkpoints, key, maxAge ?? TimeSpan.FromMinutes(1), time ?? TimeProvider.System, output, CancellationToken.None);
        return (code, output.ToString());
    }
}
