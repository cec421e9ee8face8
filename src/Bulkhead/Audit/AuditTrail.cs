using Bulkhead.Conversations;
using Bulkhead.Storage;

namespace Bulkhead.Audit;

/// <summary>Reads the session tenant's audit trail, newest first. The runtime role cannot change it.</summary>
public sealed class AuditTrail(TenantSession session)
{
    public async Task<Page<AuditEvent>> ListAsync(AuditQuery query, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command(
            $"""
            select {AuditEvent.Columns} from audit_events
             where tenant_id = $1
               and ($2::text is null or sub = $2) and ($3::text is null or action = $3)
               and ($4::timestamptz is null or occurred_at >= $4) and ($5::timestamptz is null or occurred_at < $5)
               and ($6::uuid is null or seq < (select a.seq from audit_events a where a.tenant_id = $1 and a.id = $6))
             order by seq desc limit $7
            """,
            session.TenantId, query.Sub, query.Action, query.From?.ToUniversalTime(), query.To?.ToUniversalTime(), query.After, query.Limit + 1));
        var items = new List<AuditEvent>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(AuditEvent.Read(reader));
        }

        if (items.Count <= query.Limit)
        {
            return new Page<AuditEvent>(items, null);
        }

        items.RemoveAt(items.Count - 1);
        return new Page<AuditEvent>(items, items[^1].Id);
    }
}
