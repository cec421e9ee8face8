using Bulkhead.Conversations;
using Bulkhead.Storage;

namespace Bulkhead.Audit;

/// <summary>Reads the session tenant's audit trail, newest first (ids are UUIDv7). The runtime role cannot change it.</summary>
public sealed class AuditTrail(TenantSession session)
{
    public async Task<Page<TrailEvent>> ListAsync(AuditQuery query, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command(
            $"""
            select {AuditEvent.ColumnsOf("e")}, s.block, {ClientAddressCommitment.Resolved} from audit_events e
              left join audit_seals s on s.tenant_id = e.tenant_id and s.event_id = e.id
              {ClientAddressCommitment.Join}
             where e.tenant_id = $1
               and ($2::text is null or e.sub = $2) and ($3::text is null or e.action = $3)
               and ($4::timestamptz is null or e.occurred_at >= $4) and ($5::timestamptz is null or e.occurred_at < $5)
               and ($6::uuid is null or e.id < $6)
             order by e.id desc limit $7
            """,
            session.TenantId, query.Sub, query.Action, query.From?.ToUniversalTime(), query.To?.ToUniversalTime(), query.After, query.Limit + 1));
        var items = new List<TrailEvent>();
        while (await reader.ReadAsync(ct))
        {
            var block = AuditEvent.ColumnNames.Count;
            items.Add(new TrailEvent(
                AuditEvent.Read(reader), reader.IsDBNull(block) ? null : reader.GetInt64(block), reader.IsDBNull(block + 1) ? null : reader.GetString(block + 1)));
        }

        if (items.Count <= query.Limit)
        {
            return new Page<TrailEvent>(items, null);
        }

        items.RemoveAt(items.Count - 1);
        return new Page<TrailEvent>(items, items[^1].Event.Id);
    }
}

/// <summary>
/// An event of the trail, the block that seals it (null until the sealer has reached it) and its client
/// address (null when it had none or it was erased; the event itself holds a commitment to it).
/// </summary>
public sealed record TrailEvent(AuditEvent Event, long? Block, string? ClientAddress);
