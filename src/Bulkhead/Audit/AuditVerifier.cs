using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// Recomputes a tenant's chain in order of seq and names the first event that does not check out: a
/// gap in seq (an event deleted), a prev_hash that is not the hash of the event before (deleted,
/// reordered or inserted), or a hash that does not match the event's own fields (modified). It reads as
/// the owner role, which sees every tenant's rows; it never writes.
/// </summary>
public static class AuditVerifier
{
    public static async Task<ChainReport> VerifyAsync(NpgsqlConnection owner, string schema, Guid tenantId, string slug, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select {AuditEvent.Columns} from {Migrator.Quote(schema)}.audit_events where tenant_id = $1 order by seq", owner);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        long count = 0;
        byte[]? previous = null;
        while (await reader.ReadAsync(ct))
        {
            var e = AuditEvent.Read(reader);
            count++;
            var problem = Check(e, count, previous);
            if (problem is not null)
            {
                return new ChainReport(tenantId, slug, count, previous, new ChainBreak(tenantId, e.Seq, e.Id, problem));
            }

            previous = e.Hash;
        }

        return new ChainReport(tenantId, slug, count, previous, null);
    }

    private static string? Check(AuditEvent e, long expectedSeq, byte[]? previous)
    {
        if (e.Seq != expectedSeq)
        {
            return e.Seq > expectedSeq
                ? $"seq {e.Seq} follows seq {expectedSeq - 1}: {e.Seq - expectedSeq} event(s) before it are missing (deleted)"
                : $"seq {e.Seq} is out of order (expected {expectedSeq})";
        }

        if (!Same(e.PrevHash, previous))
        {
            return "prev_hash is not the hash of the event before it (an event was inserted, deleted or reordered)";
        }

        return Same(AuditChain.Hash(e), e.Hash) ? null : "hash does not match the event's fields (the event was modified or forged)";
    }

    private static bool Same(byte[]? a, byte[]? b) => a is null || b is null ? a is null && b is null : a.AsSpan().SequenceEqual(b);
}
