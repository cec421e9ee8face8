using Bulkhead.Audit;

namespace Bulkhead.Host.Audit;

/// <summary>
/// One event as a tenant admin sees it: who, what, the outcome (<c>ok</c> or <c>not_found</c>) and result
/// count, where from, and the block that seals it (null until the sealer has reached it, within seconds).
/// </summary>
public sealed record AuditEventResponse(
    Guid Id, DateTimeOffset OccurredAt, string Sub, string Role, string? TokenId, string Action, string? ResourceType, string? ResourceId,
    string? Outcome, long? ResultCount, string? RequestId, string? ClientAddress, long? SealedInBlock)
{
    public static AuditEventResponse From(TrailEvent t) => new(
        t.Event.Id, t.Event.OccurredAt, t.Event.Sub, t.Event.Role, t.Event.TokenId, t.Event.Action, t.Event.ResourceType, t.Event.ResourceId,
        t.Event.Outcome?.Text(), t.Event.ResultCount, t.Event.RequestId, t.ClientAddress, t.Block);
}

public sealed record AlertResponse(Guid Id, string Kind, Guid? TenantId, string? Sub, Guid? TargetTenant, System.Text.Json.JsonElement Detail, DateTimeOffset RaisedAt)
{
    public static AlertResponse From(Alert a) => new(
        a.Id, a.Kind, a.TenantId, a.Sub, a.TargetTenant, System.Text.Json.JsonDocument.Parse(a.Detail).RootElement, a.RaisedAt);
}
