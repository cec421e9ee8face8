namespace Bulkhead.Host.Compliance;

/// <summary>The retention job (section Bulkhead:Retention).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Bulkhead:Retention";

    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Tenants swept at once; each sweep holds one connection.</summary>
    public int Parallelism { get; set; } = 4;
}
