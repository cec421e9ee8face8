using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Bulkhead.Audit;

/// <summary>
/// A signed statement, kept outside the database, of a tenant's newest sealed block at a time: whoever
/// later rolls the trail back (deletes its newest blocks, or all of it) cannot make it match again
/// without the signing key, which no database role holds.
/// </summary>
public sealed record Checkpoint(
    [property: JsonPropertyName("tenant_id")] Guid TenantId,
    [property: JsonPropertyName("segment")] int Segment,
    [property: JsonPropertyName("block")] long Block,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("block_hash")] string BlockHash,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("signature")] string Signature)
{
    public static Checkpoint Sign(Guid tenantId, AuditHead head, DateTimeOffset time, ICheckpointKey key)
    {
        var at = new DateTimeOffset(time.UtcTicks - time.UtcTicks % 10, TimeSpan.Zero);
        var unsigned = new Checkpoint(tenantId, head.Segment, head.Block, head.Total, Convert.ToHexStringLower(head.Hash), at, key.KeyId, "");
        return unsigned with { Signature = Convert.ToBase64String(key.Sign(unsigned.SignedBytes())) };
    }

    public bool VerifyWith(ICheckpointKey key)
    {
        try
        {
            return KeyId == key.KeyId && key.Verify(SignedBytes(), Convert.FromBase64String(Signature));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>What is signed: one line per field, in this order, as UTF-8; the time in microseconds since the Unix epoch.</summary>
    public byte[] SignedBytes() => Encoding.UTF8.GetBytes(string.Join('\n',
        "bulkhead-audit-checkpoint-v1", TenantId.ToString("D"), Text(Segment), Text(Block), Text(Events), BlockHash,
        Text((Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10), KeyId) + "\n");

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The checkpoint signing key, behind an interface so that a hardware key store can hold it.</summary>
public interface ICheckpointKey
{
    string KeyId { get; }

    byte[] Sign(byte[] data);

    bool Verify(byte[] data, byte[] signature);
}

/// <summary>Where checkpoints go: somewhere the database owner cannot rewrite.</summary>
public interface ICheckpointStore
{
    Task AppendAsync(Checkpoint checkpoint, CancellationToken ct);

    /// <summary>The tenant's newest checkpoint whose signature verifies (or null), and how many complete ones did not verify.</summary>
    Task<CheckpointLookup> NewestAsync(Guid tenantId, ICheckpointKey key, CancellationToken ct);

    /// <summary>Every tenant that has checkpoints: a trail erased together with its tenant still shows here.</summary>
    Task<IReadOnlyList<Guid>> TenantsAsync(CancellationToken ct);
}

/// <summary>What a checkpoint store holds for a tenant: its newest verified checkpoint, and the count of checkpoints whose signature failed.</summary>
public sealed record CheckpointLookup(Checkpoint? Newest, int Rejected);
