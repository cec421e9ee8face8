using Microsoft.AspNetCore.Diagnostics;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Host.Hosting;

/// <summary>
/// Maps what escapes a handler to a problem response. Bad input is a 4xx with a clear detail; database
/// constraint errors become generic problems that never echo the constraint or the values behind it.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var stale = PlacementFence.IsStale(exception) && await PlacementLeftAsync(context, exception, ct);
        var (status, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            PostgresException { SqlState: PlacementFence.LockedSqlState } =>
                (StatusCodes.Status503ServiceUnavailable, "This tenant is being moved; writes resume within seconds. Retry after the indicated delay."),
            _ when stale =>
                (StatusCodes.Status503ServiceUnavailable, "This tenant's data moved while the request ran; nothing was written. Retry."),
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation } =>
                (StatusCodes.Status409Conflict, "The request conflicts with the current state of the resource."),
            PostgresException { SqlState: var state } when state.StartsWith("22", StringComparison.Ordinal) || state == PostgresErrorCodes.CheckViolation =>
                (StatusCodes.Status400BadRequest, "The request contains a value that cannot be stored."),
            NpgsqlException { IsTransient: true } or TimeoutException =>
                (StatusCodes.Status503ServiceUnavailable, "The database is unavailable; retry shortly."),
            _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred."),
        };

        if (status == StatusCodes.Status500InternalServerError)
        {
            log.LogError(exception, "Request failed with {Status}", status);
        }
        else
        {
            log.LogInformation("Request rejected with {Status}: {Reason}", status, exception.GetType().Name);
        }

        if (stale)
        {
            // The retry must resolve the tenant again, not reuse this server's cached placement.
            StalePlacement.Forget(context);
            context.Response.Headers.RetryAfter = "1";
        }
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    /// <summary>
    /// The fence's refusal always means the tenant left the placement. A missing table, schema or database
    /// means so only when the control plane has moved the tenant on since the request resolved it; with the
    /// same placement and epoch it is a fault of this server (a 500, logged), not a retry for the caller.
    /// </summary>
    private static async ValueTask<bool> PlacementLeftAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is PostgresException { SqlState: PlacementFence.StaleSqlState } || context.Features.Get<Tenant>() is not { } resolved)
        {
            return true;
        }

        var directory = context.RequestServices.GetRequiredService<TenantDirectory>();
        directory.Forget(resolved.Id);
        var current = await directory.FindAsync(resolved.Id, ct);
        return current is null || current.Status is not TenantStatus.Active || current.Epoch != resolved.Epoch || current.Placement != resolved.Placement;
    }
}
