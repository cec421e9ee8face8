using Bulkhead.Tenancy;

namespace Bulkhead.Host.Auth;

/// <summary>
/// Runs a tenant endpoint again when its tenant moved while it ran: a statement refused by the old
/// placement's fence (or that found the placement dropped) wrote nothing, so the handler runs once more
/// with the tenant resolved again, at its new placement, and the caller never sees the move. For handlers
/// whose only effects are their tenant statements, each of them atomic; a chat turn, which calls a model
/// before it writes, retries its own write instead (<see cref="StalePlacement.WriteAsync{T}"/>).
/// </summary>
public sealed class StalePlacementRetry(TenantDirectory directory) : IEndpointFilter
{
    /// <summary>A tenant moves at most once per lifecycle lock; two moves within one request are the most to wait out.</summary>
    public const int Attempts = 3;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (attempt < Attempts && PlacementFence.IsStale(e) && !context.HttpContext.Response.HasStarted)
            {
                if (!await ResolveAgainAsync(context))
                {
                    throw;
                }
            }
        }
    }

    private async ValueTask<bool> ResolveAgainAsync(EndpointFilterInvocationContext context)
    {
        var http = context.HttpContext;
        var at = -1;
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            if (context.Arguments[i] is TenantCaller)
            {
                at = i;
            }
        }

        // Null when the control plane still names the same epoch: a missing table there is a fault, not a move.
        if (at < 0 || await StalePlacement.ResolveAgainAsync((TenantCaller)context.Arguments[at]!, directory, http.RequestAborted) is not { } again)
        {
            return false;
        }

        context.Arguments[at] = again;
        http.Features.Set(again.Tenant);
        return true;
    }
}
