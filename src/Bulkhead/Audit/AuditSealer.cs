using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// Seals a tenant's trail: the events of transactions below the snapshot horizon
/// (<c>pg_snapshot_xmin(pg_current_snapshot())</c>, below which every transaction has ended, so no event
/// can still appear there) that no block seals yet, ordered by transaction and id, become the next block.
/// Never "every event up to id N": ids are taken before their transactions commit, in any order.
/// <para>
/// Runs as the runtime role in the tenant's own scope (row-level security applies), which may append
/// blocks and seals but change nothing. Instances share the work: a tenant is sealed by whoever gets its
/// transaction-level advisory lock (the others skip it, like <c>FOR UPDATE SKIP LOCKED</c>); the primary
/// keys of blocks and seals make a fork or a double seal impossible even so. A block commits as a whole,
/// so a sealer killed in the middle leaves nothing, and the next run seals the same events.
/// </para>
/// </summary>
public sealed class AuditSealer(IPlacementRouter router, TimeProvider time, int maxBlockEvents = 10_000)
{
    private const string LockSql = "select pg_try_advisory_xact_lock(hashtext('bulkhead.seal'), hashtext($1::text))";

    private const string NewestSql = $"select {AuditBlock.Columns} from audit_blocks where tenant_id = $1 order by block desc limit 1";

    // The horizon and the candidates in one snapshot; the scan starts at the newest block's horizon.
    private static readonly string CandidatesSql = $"""
        with h as (select pg_snapshot_xmin(pg_current_snapshot()) as horizon)
        select h.horizon, {AuditEvent.ColumnsOf("e")}
          from h left join lateral (
                select * from audit_events c
                 where c.tenant_id = $1
                   and c.xid >= coalesce((select b.horizon from audit_blocks b where b.tenant_id = $1 order by b.block desc limit 1), '0'::xid8)
                   and c.xid < h.horizon
                   and not exists (select 1 from audit_seals s where s.tenant_id = $1 and s.event_id = c.id)
                 order by c.xid, c.id
                 limit $2) e on true
        """;

    private const string SealsSql =
        "insert into audit_seals (tenant_id, event_id, block, position) select $1, u.id, $2, (u.n - 1)::integer from unnest($3::uuid[]) with ordinality u(id, n)";

    private const string BlockSql =
        $"insert into audit_blocks ({AuditBlock.Columns}) values ($1, $2, $3, $4, $5, $6::text::xid8, $7, $8, $9, $10)";

    /// <summary>Seals one block of the tenant's trail, if there is anything to seal and no other sealer holds the tenant.</summary>
    public async Task<SealResult> SealAsync(TenantScope scope, CancellationToken ct)
    {
        await using var session = await TenantSession.OpenAsync(scope, router, ct);
        await session.BeginTransactionAsync(ct);
        bool locked;
        AuditBlock? newest = null;
        ulong horizon;
        var events = new List<AuditEvent>();
        await using (var reader = await session.ReadAsync(ct,
            Sql.Command(LockSql, scope.TenantId.ToString()), Sql.Command(NewestSql, scope.TenantId), Sql.Command(CandidatesSql, scope.TenantId, maxBlockEvents)))
        {
            await reader.ReadAsync(ct);
            locked = reader.GetBoolean(0);
            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                newest = AuditBlock.Read(reader);
            }

            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            horizon = reader.GetFieldValue<ulong>(0);
            do
            {
                if (!reader.IsDBNull(1))
                {
                    events.Add(AuditEvent.Read(reader, 1));
                }
            }
            while (await reader.ReadAsync(ct));
        }

        var head = AuditHead.Of(newest);
        if (!locked || events.Count == 0)
        {
            await session.CommitAsync(ct);
            return new SealResult(locked, 0, head, Full: false);
        }

        // A full block seals everything below its last transaction; events of that one may continue in the next.
        var full = events.Count == maxBlockEvents;
        var block = AuditBlock.Create(
            scope.TenantId, head.Block + 1, Math.Max(head.Segment, 1), events.Count, head.Total + events.Count, full ? events[^1].Xid : horizon,
            time.GetUtcNow(), MerkleTree.Root(events.Select(e => MerkleTree.Leaf(e.LeafData())).ToList()), head.Hash);
        await session.ExecuteAsync(ct, Sql.Command(SealsSql, scope.TenantId, block.Block, events.Select(e => e.Id).ToArray()), InsertBlock(block));
        await session.CommitAsync(ct);
        return new SealResult(true, events.Count, AuditHead.Of(block), full);
    }

    /// <summary>Seals until nothing is left below the horizon; returns the head.</summary>
    public async Task<SealResult> SealAllAsync(TenantScope scope, CancellationToken ct)
    {
        var sealedEvents = 0;
        while (true)
        {
            var result = await SealAsync(scope, ct);
            sealedEvents += result.Sealed;
            if (!result.Locked || !result.Full)
            {
                return result with { Sealed = sealedEvents };
            }
        }
    }

    /// <summary>Events of the tenant that no block seals yet, and when the oldest of them happened.</summary>
    public async Task<(long Count, DateTimeOffset? Oldest)> UnsealedAsync(TenantScope scope, CancellationToken ct)
    {
        await using var session = await TenantSession.OpenAsync(scope, router, ct);
        await using var reader = await session.ReadAsync(ct, Sql.Command(
            "select count(*), min(e.occurred_at) from audit_events e where e.tenant_id = $1 " +
            "and not exists (select 1 from audit_seals s where s.tenant_id = $1 and s.event_id = e.id)", scope.TenantId));
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>
    /// Starts a new segment in a tenant's new placement after a move, once every event copied from the
    /// source is sealed there: a block with no events that chains to the source's last block, whose horizon
    /// is below every event written in the new placement so far. Idempotent.
    /// </summary>
    /// <returns>The new segment's first block, or null when the trail has no block to chain to.</returns>
    public async Task<AuditBlock?> StartSegmentAsync(TenantScope scope, AuditBlock sourceLast, CancellationToken ct)
    {
        await using var session = await TenantSession.OpenAsync(scope, router, ct);
        await session.BeginTransactionAsync(ct);
        AuditBlock? newest = null;
        ulong floor;
        await using (var reader = await session.ReadAsync(ct,
            Sql.Command("select pg_advisory_xact_lock(hashtext('bulkhead.seal'), hashtext($1::text))", scope.TenantId.ToString()),
            Sql.Command(NewestSql, scope.TenantId),
            Sql.Command(
                "select least(pg_snapshot_xmin(pg_current_snapshot()), (select min(e.xid) from audit_events e where e.tenant_id = $1 " +
                "and not exists (select 1 from audit_seals s where s.tenant_id = $1 and s.event_id = e.id)))",
                scope.TenantId)))
        {
            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                newest = AuditBlock.Read(reader);
            }

            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            floor = reader.GetFieldValue<ulong>(0);
        }

        if (newest is null || newest.Block != sourceLast.Block || !newest.Hash.AsSpan().SequenceEqual(sourceLast.Hash))
        {
            await session.CommitAsync(ct);
            return newest is not null && newest.Segment > sourceLast.Segment ? newest : null;
        }

        var start = AuditBlock.Create(
            scope.TenantId, newest.Block + 1, newest.Segment + 1, 0, newest.Total, floor, time.GetUtcNow(), MerkleTree.Root([]), newest.Hash);
        await session.ExecuteAsync(ct, InsertBlock(start));
        await session.CommitAsync(ct);
        return start;
    }

    /// <summary>The tenants to seal: active or suspended, and not in the last phase of a move (the mover closes the source trail itself).</summary>
    public static async Task<IReadOnlyList<TenantScope>> TenantsAsync(NpgsqlDataSource controlPlane, CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand("""
            select t.id, p.tier, p.server, p.database, p.schema_name, p.epoch
              from control.tenants t
              join control.placements p on p.tenant_id = t.id
             where t.status in ('active', 'suspended')
               and not exists (select 1 from control.moves m where m.tenant_id = t.id and m.phase = 'purging')
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var scopes = new List<TenantScope>();
        while (await reader.ReadAsync(ct))
        {
            var placement = new Placement(Enum.Parse<Tier>(reader.GetString(1), ignoreCase: true), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
            scopes.Add(new TenantScope(reader.GetGuid(0), placement, reader.GetInt64(5)));
        }

        return scopes;
    }

    private static NpgsqlBatchCommand InsertBlock(AuditBlock b) =>
        Sql.Command(BlockSql, b.TenantId, b.Block, b.Segment, b.Events, b.Total, b.Horizon.ToString(System.Globalization.CultureInfo.InvariantCulture),
            b.SealedAt, b.Root, b.PrevHash, b.Hash);
}

/// <summary>What one sealing run did: whether it held the tenant, how many events it sealed, the head after it, and whether more is waiting.</summary>
public sealed record SealResult(bool Locked, int Sealed, AuditHead Head, bool Full);

/// <summary>The newest block of a tenant's trail, as a checkpoint names it; block 0 before anything is sealed.</summary>
public sealed record AuditHead(int Segment, long Block, long Total, byte[] Hash)
{
    public static AuditHead Of(AuditBlock? block) =>
        block is null ? new AuditHead(0, 0, 0, AuditBlock.Genesis) : new AuditHead(block.Segment, block.Block, block.Total, block.Hash);
}
