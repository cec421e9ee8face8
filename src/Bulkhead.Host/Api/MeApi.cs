using Bulkhead.Conversations;
using Bulkhead.Host.Auth;

namespace Bulkhead.Host.Api;

public static class MeApi
{
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", GetAsync).RequireAuthorization(Policies.Tenant).WithTags("Identity")
            .WithMetadata(new EndpointResource("me"));
        return app;
    }

    private static async Task<Ok<MeResponse>> GetAsync(TenantCaller caller, CancellationToken ct)
    {
        await using var session = await caller.OpenSessionAsync(ct);
        var userId = await new ConversationStore(session, caller.Keys).EnsureUserAsync(caller.Sub, ct);
        var tenant = caller.Tenant;
        return TypedResults.Ok(new MeResponse(tenant.Id, tenant.Slug, userId, caller.Sub, caller.Role, tenant.Plan));
    }
}
