namespace Bulkhead.Bench.Scale.Run.Peer;

public sealed class PeerConversation
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The sealed title as stored; the peer holds no keys and serves it as it is (base64).</summary>
    public byte[] Title { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public PeerUser? User { get; set; }
}
