namespace Bulkhead.Audit;

/// <summary>
/// Who is behind a tenant session's statements and which request they came from. A session opened with
/// an actor writes an audit event for every batch; <see cref="Action"/> and the resource name the request
/// (method and route) for batches that the calling code did not audit in more detail.
/// </summary>
/// <param name="RelaxedReads">
/// Whether this actor's read-only batches may commit without waiting for the WAL flush (see
/// docs/compliance.md, "Durability"); writes always wait.
/// </param>
public sealed record AuditActor(
    string Sub,
    string Role,
    string? TokenId,
    string? RequestId,
    string? ClientAddress,
    string Action,
    string? ResourceType = null,
    string? ResourceId = null,
    bool RelaxedReads = false)
{
    /// <summary>A background job acting on one tenant (retention, for example); it has no token.</summary>
    public static AuditActor System(string job, string action) => new("system:" + job, "system", null, null, null, action);
}
