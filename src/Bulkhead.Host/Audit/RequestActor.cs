using System.Security.Claims;
using Bulkhead.Audit;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// The audit actor of an HTTP request: the verified token's sub, role and jti, the request id and the
/// client address, the endpoint as the action ("GET /api/conversations/{id}") and its
/// <see cref="EndpointResource"/> for batches that no store audited in more detail. Nothing here comes from request headers or body. Its read-only batches
/// commit relaxed unless <see cref="AuditOptions.Reads"/> says durable.
/// </summary>
public static class RequestActor
{
    public static AuditActor From(HttpContext context)
    {
        var user = context.User;
        var endpoint = context.GetEndpoint() as RouteEndpoint;
        // A group's root route ends in "/"; the action reads the same without it.
        var route = (endpoint?.RoutePattern.RawText ?? context.Request.Path.Value ?? "").TrimEnd('/');
        return new AuditActor(
            user.FindFirstValue(Claims.Subject) ?? "",
            user.FindFirstValue(Claims.Role) ?? Roles.Member,
            user.FindFirstValue(Claims.TokenId),
            context.TraceIdentifier,
            context.Connection.RemoteIpAddress?.ToString(),
            $"{context.Request.Method} {route}",
            endpoint?.Metadata.GetMetadata<EndpointResource>()?.Type,
            context.Request.RouteValues.TryGetValue("id", out var id) ? Truncate(id?.ToString()) : null,
            context.RequestServices.GetService<IOptions<AuditOptions>>()?.Value.Reads != ReadDurability.Durable);
    }

    // Route values are caller input: an audit row keeps a bounded prefix, with control characters and
    // lone surrogates (which PostgreSQL text cannot hold) replaced, so odd input never fails the request.
    private static string? Truncate(string? value) =>
        value is null ? null : string.Create(Math.Min(value.Length, 100), value, (span, v) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(v[i]) || char.IsSurrogate(v[i]) ? '?' : v[i];
            }
        });
}
