namespace Bulkhead.Audit;

/// <summary>The first event of a tenant's chain that does not check out, and why.</summary>
public sealed record ChainBreak(Guid TenantId, long Seq, Guid EventId, string Reason);

/// <summary>The result of checking one tenant's chain.</summary>
public sealed record ChainReport(Guid TenantId, string Slug, long Events, byte[]? Head, ChainBreak? Break)
{
    public bool Intact => Break is null;
}
