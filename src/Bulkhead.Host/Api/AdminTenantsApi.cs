using System.Security.Claims;
using System.Text.Json.Serialization;
using Bulkhead.Host.Auth;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Api;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTenantRequest(string? Slug, string? Name, string? Plan, string? Tier, string? Server);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateTenantRequest(string? Name, string? Plan, string? Status);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MoveTenantRequest(string? Tier, string? Server);

public sealed record TenantResponse(Guid Id, string Slug, string Name, string Plan, string Status, string Tier, string Server, string? Database, string Schema, DateTimeOffset CreatedAt)
{
    public static TenantResponse From(Tenant t) => new(
        t.Id, t.Slug, t.Name, t.Plan, TenantCatalog.Lower(t.Status), TenantCatalog.Lower(t.Placement.Tier), t.Placement.Server, t.Placement.Database, t.Placement.Schema, t.CreatedAt);
}

/// <summary>
/// The platform operator's API: tenants and placements, never tenant content. Reads go through the runtime
/// role's catalog; every change goes through <see cref="TenantAdministration"/> as the owner role, so those
/// routes answer only on a server given the owner connection (<see cref="OwnerRoutes"/>).
/// </summary>
public static class AdminTenantsApi
{
    public static RouteGroupBuilder MapAdminTenantsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin").RequireAuthorization(Policies.Platform).WithTags("Platform");
        api.MapGet("/tenants", ListAsync);
        api.MapGet("/tenants/{id}", GetAsync);

        var owner = api.MapGroup("").RequireOwnerConnection(app);
        owner.MapPost("/tenants", CreateAsync);
        owner.MapPatch("/tenants/{id}", UpdateAsync);
        owner.MapDelete("/tenants/{id}", DeleteAsync);
        owner.MapPost("/tenants/{id}/move", MoveAsync);
        owner.MapGet("/analytics", AnalyticsAsync);
        return api;
    }

    private static async Task<Ok<List<TenantResponse>>> ListAsync(TenantCatalog catalog, CancellationToken ct) =>
        TypedResults.Ok((await catalog.ListAsync(ct)).Select(TenantResponse.From).ToList());

    private static async Task<Results<Created<TenantResponse>, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest body, TenantAdministration administration, CancellationToken ct)
    {
        if (!Tiers.TryParse(body.Tier ?? "pooled", out var tier))
        {
            return Problems.BadRequest("tier must be pooled, schema or database.");
        }

        try
        {
            var tenant = await administration.CreateAsync(body.Slug ?? "", body.Name ?? "", body.Plan ?? "basic", tier, body.Server, ct);
            return TypedResults.Created($"/api/admin/tenants/{tenant.Id}", TenantResponse.From(tenant));
        }
        catch (TenantRuleException e)
        {
            return Problems.BadRequest(e.Message);
        }
    }

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetAsync(string id, TenantCatalog catalog, CancellationToken ct) =>
        Guid.TryParse(id, out var key) && await catalog.FindAsync(key, ct) is { } tenant
            ? TypedResults.Ok(TenantResponse.From(tenant))
            : Problems.NotFound("tenant");

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> UpdateAsync(
        string id, UpdateTenantRequest body, TenantAdministration administration, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("tenant");
        }

        if (body.Status is not (null or "active" or "suspended"))
        {
            return Problems.BadRequest("status must be active or suspended.");
        }

        try
        {
            var suspend = body.Status is null ? (bool?)null : body.Status == "suspended";
            return await administration.UpdateAsync(key, body.Name, body.Plan, suspend, ct) is { } tenant
                ? TypedResults.Ok(TenantResponse.From(tenant))
                : Problems.NotFound("tenant");
        }
        catch (TenantBusyException e)
        {
            return Problems.Conflict(e.Message);
        }
        catch (TenantRuleException e)
        {
            return Problems.BadRequest(e.Message);
        }
    }

    // Offboarding runs to the end whether or not the caller waits for it: a client that gives up does not
    // cancel the purge (only the server's shutdown does, and the offboarding sweep resumes it).
    private static async Task<Results<Ok<OffboardingReport>, ProblemHttpResult>> DeleteAsync(
        string id, TenantAdministration administration, IHostApplicationLifetime lifetime)
    {
        try
        {
            return Guid.TryParse(id, out var key) && await administration.DeleteAsync(key, lifetime.ApplicationStopping) is { } report
                ? TypedResults.Ok(report)
                : Problems.NotFound("tenant");
        }
        catch (TenantBusyException e)
        {
            return Problems.Conflict(e.Message);
        }
    }

    private static async Task<Results<Ok<MoveResponse>, ProblemHttpResult>> MoveAsync(
        string id, MoveTenantRequest body, TenantAdministration administration, TenantCatalog catalog, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var key) || await catalog.FindAsync(key, ct) is null)
        {
            return Problems.NotFound("tenant");
        }

        if (!Tiers.TryParse(body.Tier ?? "", out var tier))
        {
            return Problems.BadRequest("tier must be pooled, schema or database.");
        }

        try
        {
            return TypedResults.Ok(MoveResponse.Of(await administration.MoveAsync(key, tier, body.Server, null, ct)));
        }
        catch (TenantBusyException e)
        {
            return Problems.Conflict(e.Message);
        }
        catch (TenantRuleException e)
        {
            return Problems.BadRequest(e.Message);
        }
    }

    private static async Task<Ok<List<TenantCounts>>> AnalyticsAsync(
        TenantAnalytics analytics, ClaimsPrincipal user, ILoggerFactory logs, CancellationToken ct)
    {
        // A privileged read across tenants: recorded with who asked.
        logs.CreateLogger("Bulkhead.Platform").LogInformation("Platform analytics read by {Operator}", user.FindFirstValue(Claims.Subject));
        return TypedResults.Ok((await analytics.CountAsync(ct)).ToList());
    }
}

public sealed record MoveResponse(Guid TenantId, string Slug, string From, string To, IReadOnlyDictionary<string, long> Rows, long RowsSyncedDuringSwitch,
    double CopySeconds, double WritesBlockedSeconds, double TotalSeconds, double RowsPerSecond)
{
    public static MoveResponse Of(MoveReport r) => new(r.TenantId, r.Slug, r.From, r.To, r.Rows, r.RowsSyncedDuringSwitch,
        r.CopyTime.TotalSeconds, r.WritesBlocked.TotalSeconds, r.Total.TotalSeconds, r.RowsPerSecond);
}
