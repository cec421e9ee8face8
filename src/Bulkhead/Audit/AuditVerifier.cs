using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// Checks one tenant's trail as the owner role, which sees every row (it never writes): recomputes every
/// block's hash and the chain of blocks, every event's leaf and every block's Merkle root, finds events
/// that should have been sealed and are not, and compares the newest block with the newest signed
/// checkpoint kept outside the database. Names the first block that does not check out.
/// </summary>
public static class AuditVerifier
{
    public static async Task<TrailReport> VerifyAsync(
        NpgsqlConnection owner, string schema, Guid tenantId, string slug, Checkpoint? checkpoint, DateTimeOffset now, TimeSpan maxCheckpointAge,
        CancellationToken ct)
    {
        // One snapshot for every read: the sealer may commit a block (its seals with it) while this runs.
        await using var snapshot = await owner.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var blocks = await ReadBlocksAsync(owner, schema, tenantId, ct);
        var problems = new List<TrailBreak>();
        CheckChain(blocks, problems);
        await CheckSealsAsync(owner, schema, tenantId, blocks, problems, ct);
        var (unsealed, oldest) = await CheckUnsealedAsync(owner, schema, tenantId, blocks, problems, ct);
        await CheckAddressesAsync(owner, schema, tenantId, blocks.Count, problems, ct);
        CheckAgainst(checkpoint, blocks, problems);
        await snapshot.CommitAsync(ct);

        var lag = oldest is { } o && now > o ? now - o : TimeSpan.Zero;
        string? stall = null;
        if (checkpoint is not null && now - checkpoint.Time > maxCheckpointAge)
        {
            stall = $"the newest checkpoint is {Age(now - checkpoint.Time)} old (limit {Age(maxCheckpointAge)}): the sealer or its checkpoint store is not working";
        }
        else if (checkpoint is null && blocks.Count > 0 && now - blocks[0].SealedAt > maxCheckpointAge)
        {
            stall = $"{blocks.Count} block(s) sealed since {blocks[0].SealedAt:u}, but no checkpoint outside the database";
        }
        else if (lag > maxCheckpointAge)
        {
            stall = $"the oldest unsealed event is {Age(lag)} old (limit {Age(maxCheckpointAge)}): the sealer is behind or stopped";
        }

        var last = blocks.Count > 0 ? blocks[^1] : null;
        return new TrailReport(
            tenantId, slug, blocks.Count, last?.Total ?? 0, last?.Segment ?? 0, unsealed, lag, checkpoint, problems.MinBy(p => p.Block), stall);
    }

    public static string Age(TimeSpan age) => age.TotalSeconds < 120 ? $"{age.TotalSeconds:0.0}s" : age.TotalMinutes < 120 ? $"{age.TotalMinutes:0}m" : $"{age.TotalHours:0}h";

    private static void CheckChain(List<AuditBlock> blocks, List<TrailBreak> problems)
    {
        var previous = AuditBlock.Genesis;
        long total = 0;
        var segment = 0;
        for (var i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            var expected = i + 1L;
            var problem =
                b.Block != expected ? $"block {expected} is missing: the trail goes from block {expected - 1} to block {b.Block} (deleted)"
                : !Same(b.PrevHash, previous) ? $"its prev_hash is not the hash of block {expected - 1} (a block was replaced, inserted or reordered)"
                : !Same(b.ComputeHash(), b.Hash) ? "its hash does not match its header (the block was altered)"
                : b.Total != total + b.Events ? $"its total of {b.Total} events does not follow block {expected - 1}'s {total} plus its {b.Events}"
                : b.Segment != segment && b.Segment != segment + 1 ? $"it is in segment {b.Segment} after segment {segment}"
                : null;
            if (problem is not null)
            {
                problems.Add(new TrailBreak(expected, problem));
                return;
            }

            previous = b.Hash;
            total = b.Total;
            segment = b.Segment;
        }
    }

    // Streams every seal with its event, block by block, and recomputes each block's Merkle root.
    private static async Task CheckSealsAsync(NpgsqlConnection owner, string schema, Guid tenantId, List<AuditBlock> blocks, List<TrailBreak> problems, CancellationToken ct)
    {
        var q = Migrator.Quote(schema);
        var byNumber = blocks.GroupBy(b => b.Block).ToDictionary(g => g.Key, g => g.First());
        var seen = new HashSet<long>();
        await using var command = new NpgsqlCommand(
            $"select s.block, s.position, s.event_id, {AuditEvent.ColumnsOf("e")} from {q}.audit_seals s " +
            $"left join {q}.audit_events e on e.tenant_id = s.tenant_id and e.id = s.event_id where s.tenant_id = $1 order by s.block, s.position", owner);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        long group = -1;
        var leaves = new List<byte[]>();
        string? problem = null;
        while (true)
        {
            var more = await reader.ReadAsync(ct);
            var number = more ? reader.GetInt64(0) : -2;
            if (number != group && group != -1)
            {
                Finish(group, leaves, problem);
                leaves.Clear();
                problem = null;
            }

            if (!more)
            {
                break;
            }

            group = number;
            var position = reader.GetInt32(1);
            if (problem is not null)
            {
                continue;
            }

            if (position != leaves.Count)
            {
                problem = $"its leaf {leaves.Count} is missing: the next sealed event is at position {position} (a seal was deleted)";
            }
            else if (reader.IsDBNull(3))
            {
                problem = $"event {reader.GetGuid(2)} (leaf {position}) is sealed here but missing from the trail (deleted)";
            }
            else
            {
                leaves.Add(MerkleTree.Leaf(AuditEvent.Read(reader, 3).LeafData()));
            }
        }

        foreach (var b in blocks.Where(b => b.Events > 0 && !seen.Contains(b.Block)))
        {
            problems.Add(new TrailBreak(b.Block, $"none of its {b.Events} events is sealed any more (the events and their seals were deleted)"));
        }

        void Finish(long number, List<byte[]> groupLeaves, string? found)
        {
            seen.Add(number);
            if (!byNumber.TryGetValue(number, out var b))
            {
                problems.Add(new TrailBreak(number, $"block {number} seals events but does not exist"));
                return;
            }

            found ??= groupLeaves.Count != b.Events ? $"it seals {groupLeaves.Count} event(s) but its header says {b.Events} (an event and its seal were inserted or deleted)"
                : !Same(MerkleTree.Root(groupLeaves), b.Root) ? "its Merkle root does not match its events (an event was modified, inserted or reordered)"
                : null;
            if (found is not null)
            {
                problems.Add(new TrailBreak(number, found));
            }
        }
    }

    // An erasure may delete a client address, nothing may swap one: each row must open its own commitment,
    // which sealed events hold. The break is named at the first block that seals an event of that commitment.
    private static async Task CheckAddressesAsync(NpgsqlConnection owner, string schema, Guid tenantId, int blockCount, List<TrailBreak> problems, CancellationToken ct)
    {
        var q = Migrator.Quote(schema);
        string? broken = null;
        await using (var command = new NpgsqlCommand($"select a.commitment, a.salt, a.address from {q}.audit_client_addresses a where a.tenant_id = $1", owner))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (ClientAddressCommitment.Of(reader.GetFieldValue<byte[]>(1), reader.GetString(2)) != reader.GetString(0))
                {
                    broken = reader.GetString(0);
                    break;
                }
            }
        }

        if (broken is null)
        {
            return;
        }

        await using var find = new NpgsqlCommand(
            $"select min(s.block) from {q}.audit_events e join {q}.audit_seals s on s.tenant_id = e.tenant_id and s.event_id = e.id " +
            "where e.tenant_id = $1 and e.client_address = $2", owner);
        find.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        find.Parameters.Add(new NpgsqlParameter { Value = broken });
        var block = await find.ExecuteScalarAsync(ct) is long sealedIn ? sealedIn : blockCount + 1;
        problems.Add(new TrailBreak(block, $"the client address of commitment {broken} does not open it (an address was replaced)"));
    }

    // Events no block seals: how many and how old. One of a transaction below a sealed horizon of the
    // current segment should have been sealed there: it was added afterwards.
    private static async Task<(long Count, DateTimeOffset? Oldest)> CheckUnsealedAsync(
        NpgsqlConnection owner, string schema, Guid tenantId, List<AuditBlock> blocks, List<TrailBreak> problems, CancellationToken ct)
    {
        var q = Migrator.Quote(schema);
        // One statement, one snapshot: the sealer may be sealing these very events meanwhile.
        await using var command = new NpgsqlCommand($"""
            with u as (select e.id, e.xid, e.occurred_at from {q}.audit_events e
                        where e.tenant_id = $1 and not exists (select 1 from {q}.audit_seals s where s.tenant_id = $1 and s.event_id = e.id))
            select (select count(*) from u), (select min(occurred_at) from u), f.id, f.xid
              from (select 1) one left join lateral (select id, xid from u order by xid, id limit 1) f on true
            """, owner);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var count = reader.GetInt64(0);
        if (count == 0)
        {
            return (0, null);
        }

        var oldest = reader.GetFieldValue<DateTimeOffset>(1);
        var first = reader.GetGuid(2);
        var xid = reader.GetFieldValue<ulong>(3);
        var segment = blocks.Count > 0 ? blocks[^1].Segment : 0;
        if (blocks.FirstOrDefault(b => b.Segment == segment && b.Horizon > xid) is { } covering)
        {
            problems.Add(new TrailBreak(covering.Block,
                $"event {first} (transaction {xid}) is below the block's horizon {covering.Horizon} but sealed nowhere (it was inserted after sealing)"));
        }

        return (count, oldest);
    }

    private static void CheckAgainst(Checkpoint? checkpoint, List<AuditBlock> blocks, List<TrailBreak> problems)
    {
        if (checkpoint is null || checkpoint.Block == 0)
        {
            return;
        }

        var named = $"the signed checkpoint of {checkpoint.Time:u} names block {checkpoint.Block} of segment {checkpoint.Segment} ({checkpoint.Events} events)";
        if (blocks.Count == 0)
        {
            problems.Add(new TrailBreak(1, $"the trail is gone: {named}, the database holds no block of this tenant (the trail was erased with its seals)"));
        }
        else if (blocks[^1].Block < checkpoint.Block)
        {
            problems.Add(new TrailBreak(blocks[^1].Block + 1, $"the trail was truncated: {named}, the database's trail ends at block {blocks[^1].Block}"));
        }
        else if (blocks.FirstOrDefault(b => b.Block == checkpoint.Block) is { } b
            && (Convert.ToHexStringLower(b.Hash) != checkpoint.BlockHash || b.Total != checkpoint.Events || b.Segment != checkpoint.Segment))
        {
            problems.Add(new TrailBreak(b.Block, $"{named}, and the database's block {b.Block} is a different one (the trail was rewritten)"));
        }
    }

    private static async Task<List<AuditBlock>> ReadBlocksAsync(NpgsqlConnection owner, string schema, Guid tenantId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select {AuditBlock.Columns} from {Migrator.Quote(schema)}.audit_blocks where tenant_id = $1 order by block", owner);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var blocks = new List<AuditBlock>();
        while (await reader.ReadAsync(ct))
        {
            blocks.Add(AuditBlock.Read(reader));
        }

        return blocks;
    }

    private static bool Same(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);
}
