using Bulkhead.Audit;
using Bulkhead.Tenancy;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;

namespace Bulkhead.Tests.Audit;

/// <summary>Reads a tenant's audit events as the owner role, for assertions.</summary>
public static class AuditEvents
{
    public static async Task<List<AuditEvent>> ReadAsync(TestDatabase db, Tenant tenant)
    {
        var source = await db.Owners.ForAsync(tenant.Placement, CancellationToken.None);
        await using var command = source.CreateCommand(
            $"select {AuditEvent.Columns} from {tenant.Placement.Schema}.audit_events where tenant_id = $1 order by seq");
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

    public static async Task<(int Code, string Output)> VerifyAsync(TestDatabase db, string? tenant = null)
    {
        using var output = new StringWriter();
        var code = await Bulkhead.Host.Cli.AuditCommand.VerifyAsync(db.Owners, db.Catalog, tenant, output, CancellationToken.None);
        return (code, output.ToString());
    }
}
