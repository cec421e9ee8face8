namespace Bulkhead.Bench.Scale.Run.Peer;

public sealed class PeerConversation
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public string Title { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public PeerUser? User { get; set; }
}
