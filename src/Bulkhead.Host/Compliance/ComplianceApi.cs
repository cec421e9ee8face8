using Bulkhead.Compliance;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;

namespace Bulkhead.Host.Compliance;

/// <summary>
/// A tenant admin acting on a data subject's request: export everything of a user (GDPR Art. 20) and
/// erase it (Art. 17). {id} is the user's id in this tenant; another tenant's user id is an ordinary 404.
/// </summary>
public static class ComplianceApi
{
    public static IEndpointRouteBuilder MapComplianceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tenant/users").RequireAuthorization(Policies.TenantAdmin).WithTags("Compliance")
            .WithMetadata(new EndpointResource("users", EndpointResource.User));
        api.MapGet("/{id}/export", ExportAsync).WithMetadata(new EndpointResource("export", EndpointResource.User));
        api.MapDelete("/{id}", EraseAsync);
        return app;
    }

    private static async Task<Results<Ok<UserExport>, ProblemHttpResult>> ExportAsync(string id, TenantCaller caller, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("user");
        }

        await using var session = await caller.OpenSessionAsync(ct);
        return await new UserDataStore(session, time, caller.Keys).ExportAsync(key, ct) is { } export ? TypedResults.Ok(export) : Problems.NotFound("user");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EraseAsync(string id, TenantCaller caller, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("user");
        }

        await using var session = await caller.OpenSessionAsync(ct);
        return await new UserDataStore(session, time, caller.Keys).EraseAsync(key, ct) ? TypedResults.NoContent() : Problems.NotFound("user");
    }
}
