using System.Text.Json.Serialization;
using Bulkhead.Chat;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;

namespace Bulkhead.Host.Chat;

/// <summary>
/// <c>/api/tenant/api-keys</c>: tenant admins create and revoke the keys of the OpenAI-compatible door.
/// A key is shown once, in the answer that creates it; only its hash is kept.
/// </summary>
public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tenant/api-keys").RequireAuthorization(Policies.TenantAdmin).WithTags("API keys")
            .WithMetadata(new EndpointResource("api-keys"))
            .AddEndpointFilter<StalePlacementRetry>();
        api.MapGet("", ListAsync);
        api.MapPost("", CreateAsync);
        api.MapDelete("/{id}", RevokeAsync);
        return api;
    }

    private static async Task<Ok<ListResponse<ApiKeyResponse>>> ListAsync(TenantCaller caller, CancellationToken ct)
    {
        await using var session = await caller.OpenSessionAsync(ct);
        var keys = await new ApiKeyStore(session).ListAsync(ct);
        return TypedResults.Ok(new ListResponse<ApiKeyResponse>(keys.Select(ApiKeyResponse.From).ToList(), null));
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> CreateAsync(
        CreateApiKeyRequest body, TenantCaller caller, ApiKeySigning signing, CancellationToken ct)
    {
        if (TextInput.Problem(body.Name, 100, required: true) is { } problem)
        {
            return Problems.Invalid("name", problem);
        }

        await using var session = await caller.OpenSessionAsync(ct);
        var (key, secret) = await new ApiKeyStore(session).CreateAsync(body.Name!, caller.Sub, signing, ct);
        return TypedResults.Created($"/api/tenant/api-keys/{key.Id}", new CreatedApiKeyResponse(key.Id, key.Name, key.Hint, key.CreatedAt, secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string id, TenantCaller caller, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("API key");
        }

        await using var session = await caller.OpenSessionAsync(ct);
        return await new ApiKeyStore(session).RevokeAsync(key, ct) ? TypedResults.NoContent() : Problems.NotFound("API key");
    }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateApiKeyRequest(string? Name);

/// <param name="LastUsedAt">When the key last opened the door, to within a minute (null: never used).</param>
public sealed record ApiKeyResponse(Guid Id, string Name, string Hint, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyResponse From(ApiKey k) => new(k.Id, k.Name, k.Hint, k.CreatedBy, k.CreatedAt, k.RevokedAt, k.LastUsedAt);
}

/// <summary>The only answer that carries the key itself.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Hint, DateTimeOffset CreatedAt, string Key);
