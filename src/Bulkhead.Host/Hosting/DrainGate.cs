namespace Bulkhead.Host.Hosting;

/// <summary>
/// Counts every request but the probes in and out of <see cref="NodeDrain"/>, and refuses new ones while
/// the node drains: a 503 problem with Retry-After and <c>Connection: close</c>, so that the client's next
/// attempt opens a connection the load balancer sends to another node.
/// </summary>
public sealed class DrainGate(RequestDelegate next, NodeDrain drain, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (IsProbe(context.Request.Path))
        {
            await next(context);
            return;
        }

        if (!drain.TryEnter())
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            context.Response.Headers.Connection = "close";
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Service Unavailable",
                    Detail = "This node is shutting down; retry and another node will answer.",
                },
            });
            return;
        }

        try
        {
            using var cut = drain.Cut.Register(static c => ((HttpContext)c!).Abort(), context);
            context.Response.OnStarting(() =>
            {
                // A request that finishes during the drain closes its connection instead of keeping it alive here.
                if (drain.IsDraining)
                {
                    context.Response.Headers.Connection = "close";
                }

                return Task.CompletedTask;
            });
            await next(context);
        }
        finally
        {
            drain.Exit();
        }
    }

    private static bool IsProbe(PathString path) =>
        path.Equals("/healthz", StringComparison.Ordinal) || path.Equals("/readyz", StringComparison.Ordinal) || path.Equals("/metrics", StringComparison.Ordinal);
}
