using Bulkhead.Compliance;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat;
using Bulkhead.Limits;

namespace Bulkhead.Host.Compliance;

/// <summary>
/// <c>GET /api/tenant/users</c>: a tenant admin's list of the tenant's users (the people and API keys that have
/// called it), newest first, paged, with their conversations and this month's tokens. Audited as <c>user.list</c>.
/// </summary>
public static class TenantUsersApi
{
    public static IEndpointRouteBuilder MapTenantUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tenant/users", ListAsync).RequireAuthorization(Policies.TenantAdmin).WithTags("Compliance")
            .WithMetadata(new EndpointResource("users"));
        return app;
    }

    private static async Task<Results<Ok<ListResponse<TenantUserResponse>>, ProblemHttpResult>> ListAsync(
        TenantCaller caller, CursorCodec cursors, TimeProvider time, CancellationToken ct, int? limit = null, string? cursor = null)
    {
        var binding = $"{caller.Tenant.Id}|{caller.Sub}|users";
        if (Paging.Read(limit, cursor, binding, cursors, out var pageSize, out var after) is { } problem)
        {
            return problem;
        }

        await using var session = await caller.OpenSessionAsync(ct);
        var page = await new TenantUsers(session).ListAsync(TokenQuota.Month(time.GetUtcNow()), after, pageSize, ct);
        return TypedResults.Ok(new ListResponse<TenantUserResponse>(
            page.Items.Select(TenantUserResponse.From).ToList(),
            page.After is { } next ? cursors.Encode(next, binding) : null));
    }
}

/// <param name="Kind"><c>user</c>, or <c>api_key</c> for the door's callers (their sub is <c>api-key:{key id}</c>).</param>
public sealed record TenantUserResponse(
    Guid Id, string Sub, string Kind, DateTimeOffset CreatedAt, long Conversations, DateTimeOffset? LastActiveAt, long UsedTokensThisMonth, long CallsThisMonth)
{
    public static TenantUserResponse From(TenantUser u) => new(
        u.Id, u.Sub, u.Sub.StartsWith(ApiKeySub, StringComparison.Ordinal) ? ApiKeyAuthentication.Role : "user",
        u.CreatedAt, u.Conversations, u.LastActiveAt, u.TokensThisMonth, u.CallsThisMonth);

    private const string ApiKeySub = "api-key:";
}
