namespace Bulkhead.Bench.Scale.Run.Peer;

public sealed class PeerUser
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Sub { get; set; } = "";
}
