using Bulkhead.Host.Hosting;

namespace Bulkhead.Host.Audit;

/// <summary>The sealer, its checkpoints and the durability of audited reads (section Bulkhead:Audit).</summary>
public sealed class AuditOptions
{
    public const string Section = "Bulkhead:Audit";

    public bool SealerEnabled { get; set; } = true;

    /// <summary>How often every tenant's trail is sealed.</summary>
    public TimeSpan SealInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each tenant gets a signed checkpoint, busy or idle; a truncation newer than this can go unseen.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>audit verify</c> reports a stalled sealer when a tenant's newest checkpoint (or oldest unsealed event) is older.</summary>
    public TimeSpan MaxCheckpointAge { get; set; } = TimeSpan.FromMinutes(1);

    public int MaxBlockEvents { get; set; } = 10_000;

    /// <summary>Tenants sealed at once; each holds one connection while it is sealed.</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>The append-only checkpoint directory; by default <c>$BULKHEAD_HOME/audit-checkpoints/DATABASE</c>, one per control-plane database.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>The ECDSA P-256 key (PKCS#8 PEM) that signs checkpoints, created on first use with mode 0600; by default <c>$BULKHEAD_HOME/audit-signing-key.pem</c>.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>An outside witness that receives every checkpoint as JSON (it carries its own signature); none when empty.</summary>
    public string? WitnessUrl { get; set; }

    /// <summary>Whether audited read-only requests wait for the WAL flush of their event (docs/compliance.md, "Durability").</summary>
    public ReadDurability Reads { get; set; } = ReadDurability.Relaxed;

    /// <summary>The checkpoint directory of the deployment whose control plane is <paramref name="connectionString"/>'s database.</summary>
    public string CheckpointPathFor(string connectionString) => CheckpointDirectory is { Length: > 0 } d
        ? d
        : Path.Combine(BulkheadConfiguration.Home, "audit-checkpoints", new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database ?? "default");

    public string SigningKeyPath => SigningKeyFile is { Length: > 0 } f ? f : Path.Combine(BulkheadConfiguration.Home, "audit-signing-key.pem");
}

public enum ReadDurability
{
    /// <summary>Read events commit with <c>synchronous_commit = off</c>: a crash can lose the last few hundred milliseconds of them.</summary>
    Relaxed,

    /// <summary>Every event waits for its WAL flush, as writes always do.</summary>
    Durable,
}
