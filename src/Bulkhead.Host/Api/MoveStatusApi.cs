using Bulkhead.Tenancy;
using Bulkhead.Host.Auth;
using Npgsql;

namespace Bulkhead.Host.Api;

/// <summary>
/// <c>GET /api/admin/tenants/{id}/move</c>: how far a tenant's move has come, for the operator watching it
/// while the <c>POST …/move</c> that runs it is still answering. Steps and row counts only.
/// </summary>
public static class MoveStatusApi
{
    public static IEndpointRouteBuilder MapMoveStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/tenants/{id}/move", GetAsync).RequireAuthorization(Policies.Platform).WithTags("Platform");
        return app;
    }

    private static async Task<Results<Ok<MoveStatusResponse>, ProblemHttpResult>> GetAsync(
        string id, TenantCatalog catalog, NpgsqlDataSource controlPlane, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var key) || await catalog.FindAsync(key, ct) is not { } tenant)
        {
            return Problems.NotFound("tenant");
        }

        var move = await MoveStatus.FindAsync(controlPlane, key, ct);
        return TypedResults.Ok(move is null
            ? new MoveStatusResponse(key, "idle", TenantCatalog.Lower(tenant.Placement.Tier), null, null, null, 0, 0, null, null, null)
            : new MoveStatusResponse(key, move.Error is null ? "moving" : "failed", move.FromTier, move.ToTier, move.Phase, move.Step,
                move.RowsCopied, move.RowsTotal, move.Error, move.StartedAt, move.UpdatedAt));
    }
}

/// <param name="State"><c>idle</c> (no move under way; <c>From</c> is the tier the tenant is in), <c>moving</c>, or <c>failed</c> (rerun the move to finish or restart it).</param>
/// <param name="Phase"><c>copying</c> until the switch, then <c>purging</c> (the tenant lives in the target from then on).</param>
/// <param name="RowsCopied">Rows of the bulk copy done so far, of <c>RowsTotal</c> in the copy's snapshot (the audit trail is counted apart).</param>
public sealed record MoveStatusResponse(
    Guid TenantId, string State, string From, string? To, string? Phase, string? Step, long RowsCopied, long RowsTotal, string? Error,
    DateTimeOffset? StartedAt, DateTimeOffset? UpdatedAt);
