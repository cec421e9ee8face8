using Bulkhead.Audit;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace Bulkhead.Host.Audit;

/// <summary>
/// The audit trail and the alerts: a tenant admin reads their own tenant's trail; the platform reads any
/// tenant's trail (events hold no content) and the alerts. Reading the trail is itself audited.
/// </summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var trail = new EndpointResource("audit");
        app.MapGet("/api/tenant/audit", TenantTrailAsync).RequireAuthorization(Policies.TenantAdmin).WithTags("Audit").WithMetadata(trail);
        var platform = app.MapGroup("/api/admin").RequireAuthorization(Policies.Platform).WithTags("Platform");
        platform.MapGet("/alerts", AlertsAsync);
        platform.MapGet("/tenants/{id}/audit", PlatformTrailAsync).WithMetadata(trail);
        return app;
    }

    private static async Task<Results<Ok<ListResponse<AuditEventResponse>>, ProblemHttpResult>> TenantTrailAsync(
        TenantCaller caller, CursorCodec cursors, CancellationToken ct, int? limit = null, string? cursor = null,
        [FromQuery(Name = "user")] string? user = null, string? action = null, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var binding = $"{caller.Tenant.Id}|{caller.Sub}|audit|{user}|{action}|{from:O}|{to:O}";
        if ((Paging.Read(limit, cursor, binding, cursors, out var pageSize, out var after) ?? FilterProblem(user, action)) is { } problem)
        {
            return problem;
        }

        await using var session = await caller.OpenSessionAsync(ct);
        return Page(await new AuditTrail(session).ListAsync(new AuditQuery(user, action, from, to, after, pageSize), ct), binding, cursors);
    }

    private static async Task<Results<Ok<ListResponse<AuditEventResponse>>, ProblemHttpResult>> PlatformTrailAsync(
        string id, HttpContext context, TenantDirectory tenants, IPlacementRouter router, CursorCodec cursors, CancellationToken ct,
        int? limit = null, string? cursor = null, [FromQuery(Name = "user")] string? user = null, string? action = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        if (!Guid.TryParse(id, out var key) || await tenants.FindAsync(key, ct) is not { } tenant)
        {
            return Problems.NotFound("tenant");
        }

        var binding = $"platform|{key}|audit|{user}|{action}|{from:O}|{to:O}";
        if ((Paging.Read(limit, cursor, binding, cursors, out var pageSize, out var after) ?? FilterProblem(user, action)) is { } problem)
        {
            return problem;
        }

        // The platform's read lands in the tenant's own trail, so the tenant sees that the operator looked.
        await using var session = await TenantSession.OpenAsync(tenant.Scope, router, RequestActor.From(context), ct);
        return Page(await new AuditTrail(session).ListAsync(new AuditQuery(user, action, from, to, after, pageSize), ct), binding, cursors);
    }

    private static async Task<Results<Ok<ListResponse<AlertResponse>>, ProblemHttpResult>> AlertsAsync(
        AlertStore alerts, CursorCodec cursors, CancellationToken ct, int? limit = null, string? cursor = null, string? kind = null,
        [FromQuery(Name = "tenant_id")] string? tenantId = null)
    {
        Guid? tenant = null;
        if (tenantId is not null)
        {
            if (!Guid.TryParse(tenantId, out var parsed))
            {
                return Problems.BadRequest("tenant_id must be a tenant id (a UUID).");
            }

            tenant = parsed;
        }

        var binding = $"alerts|{kind}|{tenant}";
        if (Paging.Read(limit, cursor, binding, cursors, out var pageSize, out var after) is { } problem)
        {
            return problem;
        }

        var page = await alerts.ListAsync(kind, tenant, after, pageSize + 1, ct);
        var items = page.Take(pageSize).Select(AlertResponse.From).ToList();
        return TypedResults.Ok(new ListResponse<AlertResponse>(items, page.Count > pageSize ? cursors.Encode(items[^1].Id, binding) : null));
    }

    private static ProblemHttpResult? FilterProblem(string? user, string? action) =>
        TextInput.Problem(user, 256, required: false) is { } u ? Problems.BadRequest($"user {u}.")
        : TextInput.Problem(action, 200, required: false) is { } a ? Problems.BadRequest($"action {a}.")
        : null;

    private static Ok<ListResponse<AuditEventResponse>> Page(Bulkhead.Conversations.Page<TrailEvent> page, string binding, CursorCodec cursors) =>
        TypedResults.Ok(new ListResponse<AuditEventResponse>(
            page.Items.Select(AuditEventResponse.From).ToList(),
            page.After is { } next ? cursors.Encode(next, binding) : null));
}
