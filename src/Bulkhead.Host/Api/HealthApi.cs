using Bulkhead.Host.Hosting;

namespace Bulkhead.Host.Api;

public static class HealthApi
{
    /// <summary>How long a readiness check waits for PostgreSQL or Redis: a load balancer's probe must not hang.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).WithTags("Health");
        app.MapGet("/readyz", ReadyAsync).WithTags("Health");
        return app;
    }

    /// <summary>
    /// Ready when the node is not draining, PostgreSQL answers and, when the limits use Redis, Redis answers
    /// too. Not ready is a 503 problem naming what failed, for a load balancer to take the node out of rotation.
    /// </summary>
    private static async Task<Results<Ok<Readiness>, ProblemHttpResult>> ReadyAsync(NodeDrain drain, ReadinessProbe probe)
    {
        if (drain.IsDraining)
        {
            return NotReady("This node is shutting down.", new() { ["draining"] = true });
        }

        var (postgres, redis) = await probe.CheckAsync();
        if (postgres == "ok" && redis is null or "ok")
        {
            return TypedResults.Ok(new Readiness("ready", postgres, redis));
        }

        var down = string.Join(" and ", new[] { postgres == "ok" ? null : "PostgreSQL", redis is null or "ok" ? null : "Redis" }.OfType<string>());
        return NotReady($"{down} cannot be reached from this node.", new() { ["draining"] = false, ["postgres"] = postgres, ["redis"] = redis });
    }

    private static ProblemHttpResult NotReady(string detail, Dictionary<string, object?> extensions) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not Ready", detail: detail, extensions: extensions);

    /// <param name="Redis">Null when no Redis is configured (limits run in process).</param>
    public sealed record Readiness(string Status, string Postgres, string? Redis = null);
}
