using System.Buffers.Binary;
using System.Security.Cryptography;
using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// One sealed block of a tenant's trail: <see cref="Events"/> events, their Merkle <see cref="Root"/>, and
/// the hash of the block before (<see cref="PrevHash"/>, 32 zero bytes for the first), so that the
/// newest block's hash commits to the whole trail. Every event of a transaction below
/// <see cref="Horizon"/> is sealed in this block or an earlier one of the same segment.
/// </summary>
/// <param name="Total">Events sealed in this block and every block before it.</param>
public sealed record AuditBlock(
    Guid TenantId, long Block, int Segment, int Events, long Total, ulong Horizon, DateTimeOffset SealedAt, byte[] Root, byte[] PrevHash, byte[] Hash)
{
    public const string Columns = "tenant_id, block, segment, events, total, horizon, sealed_at, root, prev_hash, hash";

    private static readonly byte[] Domain = "bulkhead.audit.block.v1\0"u8.ToArray();

    public static byte[] Genesis { get; } = new byte[32];

    /// <summary>A block with its hash computed from the header; <paramref name="sealedAt"/> is cut to microseconds, as PostgreSQL keeps it.</summary>
    public static AuditBlock Create(
        Guid tenantId, long block, int segment, int events, long total, ulong horizon, DateTimeOffset sealedAt, byte[] root, byte[] prevHash)
    {
        var at = new DateTimeOffset(sealedAt.UtcTicks - sealedAt.UtcTicks % 10, TimeSpan.Zero);
        var draft = new AuditBlock(tenantId, block, segment, events, total, horizon, at, root, prevHash, []);
        return draft with { Hash = draft.ComputeHash() };
    }

    /// <summary>
    /// SHA-256 over a domain tag, the tenant id (16 bytes, big-endian), segment (int4), block (int8), events
    /// (int4), total (int8), horizon (uint8), sealed_at (int8 microseconds since the Unix epoch), root and
    /// prev_hash, every integer big-endian.
    /// </summary>
    public byte[] ComputeHash()
    {
        var buffer = new byte[Domain.Length + 16 + 4 + 8 + 4 + 8 + 8 + 8 + 32 + 32];
        var span = buffer.AsSpan();
        Domain.CopyTo(span);
        span = span[Domain.Length..];
        TenantId.TryWriteBytes(span[..16], bigEndian: true, out _);
        BinaryPrimitives.WriteInt32BigEndian(span[16..], Segment);
        BinaryPrimitives.WriteInt64BigEndian(span[20..], Block);
        BinaryPrimitives.WriteInt32BigEndian(span[28..], Events);
        BinaryPrimitives.WriteInt64BigEndian(span[32..], Total);
        BinaryPrimitives.WriteUInt64BigEndian(span[40..], Horizon);
        BinaryPrimitives.WriteInt64BigEndian(span[48..], (SealedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        Root.AsSpan(0, Math.Min(32, Root.Length)).CopyTo(span[56..]);
        PrevHash.AsSpan(0, Math.Min(32, PrevHash.Length)).CopyTo(span[88..]);
        return SHA256.HashData(buffer);
    }

    public static AuditBlock Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetInt64(4), r.GetFieldValue<ulong>(5), r.GetFieldValue<DateTimeOffset>(6),
        r.GetFieldValue<byte[]>(7), r.GetFieldValue<byte[]>(8), r.GetFieldValue<byte[]>(9));
}
