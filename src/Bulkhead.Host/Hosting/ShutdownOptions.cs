namespace Bulkhead.Host.Hosting;

/// <summary>How a node leaves a load balancer's rotation on SIGTERM (section Bulkhead:Shutdown).</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Bulkhead:Shutdown";

    /// <summary>How long requests in flight (streams included) may take to finish after SIGTERM; then they are cut.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long /readyz answers 503 while new requests are still served, before the node refuses them (part of
    /// the grace period): set it to what the load balancer needs to see a node fail its check (interval times unhealthy threshold).
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    public bool IsValid => GracePeriod >= TimeSpan.Zero && DrainDelay >= TimeSpan.Zero && DrainDelay <= GracePeriod;
}
