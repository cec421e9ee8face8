using Bulkhead.Audit;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// The audit trail's part of a move. The trail (tables named audit_*) is never behind the write gate, so
/// the moving tenant's reads keep answering and writing events, in the source until every server has
/// seen the switch, then in the target. Its rows never change, so copying them means appending what the
/// target lacks. After the switch the source trail is closed (every event sealed there, by the mover, as
/// the sealer skips the tenant in this phase), copied, checked row by row, and the target starts a new
/// segment whose first block chains to the source's last.
/// </summary>
public sealed class TrailMove(OwnerSources owners, TimeProvider time)
{
    /// <summary>How long closing the source trail waits for a transaction that holds the snapshot horizon back.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Appends the tenant's trail rows that the target does not have yet.</summary>
    public static async Task<long> CopyAsync(
        IReadOnlyList<TableCopy> trail, Guid tenantId, NpgsqlConnection source, string sourceSchema, NpgsqlConnection target, string targetSchema, CancellationToken ct)
    {
        long copied = 0;
        foreach (var table in trail)
        {
            copied += await table.CopyMissingAsync(tenantId, source, sourceSchema, target, targetSchema, ct);
        }

        return copied;
    }

    /// <summary>Seals the rest of the source trail, copies it, checks it and starts the target's segment. Safe to run again.</summary>
    /// <returns>Rows of each trail table now in the target.</returns>
    public async Task<IReadOnlyDictionary<string, long>> CloseAsync(Guid tenantId, Placement from, Placement to, IProgress<string>? progress, CancellationToken ct)
    {
        var sealer = new AuditSealer(new OwnerPlacementRouter(owners), time);
        // The audit trail is never behind the write gate, so these sessions need no placement epoch.
        var source = new TenantScope(tenantId, from, 0);
        var deadline = time.GetUtcNow() + CloseTimeout;
        progress?.Report("sealing the rest of the source's audit trail");
        while (true)
        {
            var result = await sealer.SealAllAsync(source, ct);
            if (result.Locked && (await sealer.UnsealedAsync(source, ct)).Count == 0)
            {
                break;
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException(
                    $"the source's audit trail could not be sealed within {CloseTimeout.TotalMinutes:0} minutes (a long transaction holds the snapshot horizon); run the move again to finish it.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }

        await using var sourceConnection = await (await owners.ForAsync(from, ct)).OpenConnectionAsync(ct);
        await using var targetConnection = await (await owners.ForAsync(to, ct)).OpenConnectionAsync(ct);
        var trail = await DescribeAsync(sourceConnection, from.Schema, ct);
        await CopyAsync(trail, tenantId, sourceConnection, from.Schema, targetConnection, to.Schema, ct);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in trail)
        {
            var missing = await table.MissingOrDifferentAsync(tenantId, sourceConnection, from.Schema, targetConnection, to.Schema, ct);
            if (missing > 0)
            {
                throw new InvalidOperationException($"verification failed for {table.Table}: {missing} of the source's rows are missing or different in the target; run the move again.");
            }

            counts[table.Table] = (await table.ChecksumAsync(targetConnection, to.Schema, tenantId, ct)).Rows;
        }

        await using (var newest = new NpgsqlCommand(
            $"select {AuditBlock.Columns} from {Migrator.Quote(from.Schema)}.audit_blocks where tenant_id = $1 order by block desc limit 1", sourceConnection))
        {
            newest.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            AuditBlock? last = null;
            await using (var reader = await newest.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct))
                {
                    last = AuditBlock.Read(reader);
                }
            }

            if (last is not null)
            {
                var start = await sealer.StartSegmentAsync(new TenantScope(tenantId, to, 0), last, ct)
                    ?? throw new InvalidOperationException("the target's audit trail does not end with the source's last block; run the move again.");
                progress?.Report($"audit trail: segment {start.Segment} starts at block {start.Block}, chained to block {last.Block}");
            }
        }

        return counts;
    }

    public static async Task<IReadOnlyList<TableCopy>> DescribeAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var trail = new List<TableCopy>();
        foreach (var name in (await TenantTables.ListAsync(connection, schema, ct)).Where(TenantTableRules.IsTrail))
        {
            trail.Add(await TableCopy.DescribeAsync(connection, schema, name, ct));
        }

        return trail;
    }
}
