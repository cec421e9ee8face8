using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

public sealed record TenantCounts(Guid TenantId, string Slug, string Tier, long Users, long Conversations, long Messages);

/// <summary>
/// Per-tenant counts across every placement for the platform operator. A privileged path (owner role)
/// that selects count(*) only: no column of tenant content is read.
/// </summary>
public sealed class TenantAnalytics(OwnerSources owners)
{
    private static readonly string[] Tables = ["users", "conversations", "messages"];

    public async Task<IReadOnlyList<TenantCounts>> CountAsync(CancellationToken ct)
    {
        var tenants = (await new TenantCatalog(owners.ControlPlane).ListAsync(ct)).Where(t => t.Status is not (TenantStatus.Deleting or TenantStatus.Deleted)).ToList();
        var pooled = new Dictionary<(string Table, Guid Tenant), long>();
        await using (var batch = owners.ControlPlane.CreateBatch())
        {
            foreach (var table in Tables)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"select tenant_id, count(*) from {Placement.SharedSchema}.{table} group by tenant_id"));
            }

            await using var reader = await batch.ExecuteReaderAsync(ct);
            foreach (var table in Tables)
            {
                while (await reader.ReadAsync(ct))
                {
                    pooled[(table, reader.GetGuid(0))] = reader.GetInt64(1);
                }

                await reader.NextResultAsync(ct);
            }
        }

        var result = new List<TenantCounts>();
        foreach (var tenant in tenants)
        {
            long[] counts;
            if (tenant.Placement.Tier == Tier.Pooled)
            {
                counts = Tables.Select(t => pooled.GetValueOrDefault((t, tenant.Id))).ToArray();
            }
            else
            {
                var source = await owners.ForAsync(tenant.Placement, ct);
                await using var batch = source.CreateBatch();
                foreach (var table in Tables)
                {
                    batch.BatchCommands.Add(Sql.Command($"select count(*) from {Migrator.Quote(tenant.Placement.Schema)}.{table} where tenant_id = $1", tenant.Id));
                }

                counts = new long[Tables.Length];
                await using var reader = await batch.ExecuteReaderAsync(ct);
                for (var i = 0; i < Tables.Length; i++)
                {
                    await reader.ReadAsync(ct);
                    counts[i] = reader.GetInt64(0);
                    await reader.NextResultAsync(ct);
                }
            }

            result.Add(new TenantCounts(tenant.Id, tenant.Slug, TenantCatalog.Lower(tenant.Placement.Tier), counts[0], counts[1], counts[2]));
        }

        return result;
    }
}
