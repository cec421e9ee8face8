using Bulkhead.Audit;

namespace Bulkhead.Host.Audit;

public sealed record AuditEventResponse(
    Guid Id, long Seq, DateTimeOffset OccurredAt, string Sub, string Role, string? TokenId, string Action, string? ResourceType, string? ResourceId,
    int? Status, long? ResultCount, string? RequestId, string? ClientAddress, string? PrevHash, string Hash)
{
    public static AuditEventResponse From(AuditEvent e) => new(
        e.Id, e.Seq, e.OccurredAt, e.Sub, e.Role, e.TokenId, e.Action, e.ResourceType, e.ResourceId, e.Status, e.ResultCount, e.RequestId,
        e.ClientAddress, e.PrevHash is null ? null : Convert.ToHexStringLower(e.PrevHash), Convert.ToHexStringLower(e.Hash));
}

public sealed record AlertResponse(Guid Id, string Kind, Guid? TenantId, string? Sub, Guid? TargetTenant, System.Text.Json.JsonElement Detail, DateTimeOffset RaisedAt)
{
    public static AlertResponse From(Alert a) => new(
        a.Id, a.Kind, a.TenantId, a.Sub, a.TargetTenant, System.Text.Json.JsonDocument.Parse(a.Detail).RootElement, a.RaisedAt);
}
