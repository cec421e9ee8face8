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
/// The platform operator's API: tenants and placements, never tenant content. Provisioning, moves and
/// offboarding run as the owner role, so they are available only when the server has the owner connection.
/// </summary>
public static class AdminTenantsApi
{
    public static RouteGroupBuilder MapAdminTenantsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin").RequireAuthorization(Policies.Platform).WithTags("Platform");
        api.MapGet("/tenants", ListAsync);
        api.MapPost("/tenants", CreateAsync);
        api.MapGet("/tenants/{id}", GetAsync);
        api.MapPatch("/tenants/{id}", UpdateAsync);
        api.MapDelete("/tenants/{id}", DeleteAsync);
        api.MapPost("/tenants/{id}/move", MoveAsync);
        api.MapGet("/analytics", AnalyticsAsync);
        return api;
    }

    private static async Task<Ok<List<TenantResponse>>> ListAsync(TenantCatalog catalog, CancellationToken ct) =>
        TypedResults.Ok((await catalog.ListAsync(ct)).Select(TenantResponse.From).ToList());

    private static async Task<Results<Created<TenantResponse>, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest body, IServiceProvider services, CancellationToken ct)
    {
        if (services.GetService<TenantProvisioner>() is not { } provisioner)
        {
            return Unavailable();
        }

        if (!Tiers.TryParse(body.Tier ?? "pooled", out var tier))
        {
            return Problems.BadRequest("tier must be pooled, schema or database.");
        }

        try
        {
            var tenant = await provisioner.CreateAsync(body.Slug ?? "", body.Name ?? "", body.Plan ?? "basic", tier, body.Server, ct);
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
        string id, UpdateTenantRequest body, IServiceProvider services, TenantDirectory directory, CancellationToken ct)
    {
        if (services.GetService<OwnerSources>() is not { } owners)
        {
            return Unavailable();
        }

        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("tenant");
        }

        var catalog = new TenantCatalog(owners.ControlPlane);
        if (body.Status is not (null or "active" or "suspended"))
        {
            return Problems.BadRequest("status must be active or suspended.");
        }

        try
        {
            if (!await catalog.UpdateAsync(key, body.Name, body.Plan, ct)
                || (body.Status is not null && !await catalog.SuspendOrResumeAsync(key, body.Status == "suspended", ct)))
            {
                return Problems.NotFound("tenant");
            }
        }
        catch (TenantBusyException e)
        {
            return Problems.Conflict(e.Message);
        }
        catch (TenantRuleException e)
        {
            return Problems.BadRequest(e.Message);
        }

        directory.Forget(key);
        return TypedResults.Ok(TenantResponse.From((await catalog.FindAsync(key, ct))!));
    }

    // Offboarding runs to the end whether or not the caller waits for it: a client that gives up does not
    // cancel the purge (only the server's shutdown does, and the offboarding sweep resumes it).
    private static async Task<Results<Ok<OffboardingReport>, ProblemHttpResult>> DeleteAsync(
        string id, IServiceProvider services, TenantDirectory directory, IHostApplicationLifetime lifetime)
    {
        if (services.GetService<TenantProvisioner>() is not { } provisioner)
        {
            return Unavailable();
        }

        try
        {
            var report = Guid.TryParse(id, out var key) ? await provisioner.DeleteAsync(key, lifetime.ApplicationStopping) : null;
            directory.Forget(key);
            return report is null ? Problems.NotFound("tenant") : TypedResults.Ok(report);
        }
        catch (TenantBusyException e)
        {
            return Problems.Conflict(e.Message);
        }
    }

    private static async Task<Results<Ok<MoveResponse>, ProblemHttpResult>> MoveAsync(
        string id, MoveTenantRequest body, IServiceProvider services, TenantDirectory directory, TenantCatalog catalog, CancellationToken ct)
    {
        if (services.GetService<TenantMover>() is not { } mover)
        {
            return Unavailable();
        }

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
            var report = await mover.MoveAsync(key, tier, body.Server, null, ct);
            directory.Forget(key);
            return TypedResults.Ok(MoveResponse.Of(report));
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

    private static async Task<Results<Ok<List<TenantCounts>>, ProblemHttpResult>> AnalyticsAsync(
        IServiceProvider services, ClaimsPrincipal user, ILoggerFactory logs, CancellationToken ct)
    {
        if (services.GetService<OwnerSources>() is not { } owners)
        {
            return Unavailable();
        }

        // A privileged read across tenants: recorded with who asked.
        logs.CreateLogger("Bulkhead.Platform").LogInformation("Platform analytics read by {Operator}", user.FindFirstValue(Claims.Subject));
        return TypedResults.Ok((await new TenantAnalytics(owners).CountAsync(ct)).ToList());
    }

    private static ProblemHttpResult Unavailable() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable",
        detail: "Tenant provisioning needs the owner connection (Bulkhead:OwnerConnection), which this server was not given.");
}

public sealed record MoveResponse(Guid TenantId, string Slug, string From, string To, IReadOnlyDictionary<string, long> Rows, long RowsSyncedDuringSwitch,
    double CopySeconds, double WritesBlockedSeconds, double TotalSeconds, double RowsPerSecond)
{
    public static MoveResponse Of(MoveReport r) => new(r.TenantId, r.Slug, r.From, r.To, r.Rows, r.RowsSyncedDuringSwitch,
        r.CopyTime.TotalSeconds, r.WritesBlocked.TotalSeconds, r.Total.TotalSeconds, r.RowsPerSecond);
}
