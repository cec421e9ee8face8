using System.Text.Json;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// The control plane's content-free record of what was done to a tenant (<c>control.tenant_events</c>):
/// one statement for every kind, so that each lifecycle step adds its event to its own round trip.
/// </summary>
public static class TenantEvents
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Suspended = "suspended";
    public const string Resumed = "resumed";
    public const string Moved = "moved";
    public const string Deleted = "deleted";

    /// <summary>The event, with the slug the tenant has when it is written; the detail names no content.</summary>
    public static NpgsqlBatchCommand Record(Guid tenantId, string kind, object detail) => Sql.Command(
        "insert into control.tenant_events (id, tenant_id, slug, kind, detail) select $1, t.id, t.slug, $3, $4::jsonb from control.tenants t where t.id = $2",
        Guid.CreateVersion7(), tenantId, kind, JsonSerializer.Serialize(detail));

    public static async Task RecordAsync(NpgsqlDataSource controlPlane, Guid tenantId, string kind, object detail, CancellationToken ct)
    {
        await using var batch = controlPlane.CreateBatch();
        batch.BatchCommands.Add(Record(tenantId, kind, detail));
        await batch.ExecuteNonQueryAsync(ct);
    }
}
