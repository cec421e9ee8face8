using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// Brings a move's copy up to date and verifies it incrementally. The target's per-bucket checksums of
/// every table (<see cref="TableCopy.BucketSumsAsync"/>) are read once after the bulk copy and kept; each
/// round scans the source once, on the server, and compares rows only in the buckets whose checksums
/// differ, then reads those buckets of the target again. So the last round, with the tenant's writes held,
/// costs one scan of the source plus the last delta, and proves the copy whole: every bucket of the target
/// was read after its last change and matches the frozen source. Each round reads the source in one
/// snapshot, as the bulk copy does: tables are caught up parents first (and deleted from children first) in
/// the catalog's foreign-key order, and in one snapshot a child row's parent is there too, even while the
/// tenant writes (a conversation and its title's terms, a message and its conversation).
/// </summary>
public sealed class CatchUp(IReadOnlyList<TableCopy> tables, Guid tenantId, NpgsqlConnection source, string sourceSchema, NpgsqlConnection target, string targetSchema)
{
    private readonly Dictionary<string, Dictionary<int, (long Rows, decimal Sum)>> _target = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _rows = new(StringComparer.Ordinal);

    /// <summary>Rows per table in the source at the last round.</summary>
    public IReadOnlyDictionary<string, long> Rows => _rows;

    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var table in tables)
        {
            _target[table.Table] = await table.BucketSumsAsync(target, targetSchema, tenantId, ct);
        }
    }

    /// <param name="verify">The source is frozen: after the round, the target must match it bucket for bucket.</param>
    /// <returns>Rows written to or deleted from the target.</returns>
    public async Task<long> RoundAsync(bool verify, CancellationToken ct)
    {
        await using var snapshot = await source.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var synced = await RoundInSnapshotAsync(verify, ct);
        await snapshot.CommitAsync(ct);
        return synced;
    }

    private async Task<long> RoundInSnapshotAsync(bool verify, CancellationToken ct)
    {
        var inSource = new Dictionary<string, Dictionary<int, (long Rows, decimal Sum)>>(StringComparer.Ordinal);
        var differing = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var sums = inSource[table.Table] = await table.BucketSumsAsync(source, sourceSchema, tenantId, ct);
            var known = _target[table.Table];
            differing[table.Table] = sums.Keys.Union(known.Keys)
                .Where(b => sums.GetValueOrDefault(b) != known.GetValueOrDefault(b))
                .ToList();
            _rows[table.Table] = sums.Values.Sum(s => s.Rows);
        }

        long synced = 0;
        foreach (var table in tables.Where(t => differing[t.Table].Count > 0))
        {
            synced += await table.UpsertStaleAsync(tenantId, source, sourceSchema, target, targetSchema, ct, differing[table.Table]);
        }

        foreach (var table in Enumerable.Reverse(tables).Where(t => differing[t.Table].Count > 0))
        {
            synced += await table.DeleteGoneAsync(tenantId, source, sourceSchema, target, targetSchema, ct, differing[table.Table]);
        }

        foreach (var table in tables.Where(t => differing[t.Table].Count > 0))
        {
            var buckets = differing[table.Table];
            var reread = await table.BucketSumsAsync(target, targetSchema, tenantId, ct, buckets);
            var known = _target[table.Table];
            foreach (var bucket in buckets)
            {
                known.Remove(bucket);
                if (reread.TryGetValue(bucket, out var sum))
                {
                    known[bucket] = sum;
                }

                if (verify && reread.GetValueOrDefault(bucket) != inSource[table.Table].GetValueOrDefault(bucket))
                {
                    throw new InvalidOperationException(
                        $"verification failed for {table.Table}: bucket {bucket} of the target does not match the source after the catch-up; the tenant stays where it was.");
                }
            }
        }

        return synced;
    }
}
