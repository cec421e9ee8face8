using Bulkhead.Host.Hosting;
using Npgsql;
using StackExchange.Redis;

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
    private static async Task<Results<Ok<Readiness>, ProblemHttpResult>> ReadyAsync(
        NpgsqlDataSource database, NodeDrain drain, IServiceProvider services, CancellationToken ct)
    {
        if (drain.IsDraining)
        {
            return NotReady("This node is shutting down.", new() { ["draining"] = true });
        }

        var postgres = await PostgresAsync(database, ct);
        string? redis = null;
        if (services.GetService<IConnectionMultiplexer>() is { } multiplexer)
        {
            try
            {
                await multiplexer.GetDatabase().PingAsync().WaitAsync(CheckTimeout, ct);
                redis = "ok";
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                redis = "unreachable";
            }
        }

        if (postgres == "ok" && redis is null or "ok")
        {
            return TypedResults.Ok(new Readiness("ready", postgres, redis));
        }

        var down = string.Join(" and ", new[] { postgres == "ok" ? null : "PostgreSQL", redis is null or "ok" ? null : "Redis" }.OfType<string>());
        return NotReady($"{down} cannot be reached from this node.", new() { ["draining"] = false, ["postgres"] = postgres, ["redis"] = redis });
    }

    private static async Task<string> PostgresAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await using var command = database.CreateCommand("select 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return "ok";
        }
        catch (NpgsqlException)
        {
            return "unreachable";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return "unreachable";
        }
    }

    private static ProblemHttpResult NotReady(string detail, Dictionary<string, object?> extensions) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not Ready", detail: detail, extensions: extensions);

    /// <param name="Redis">Null when no Redis is configured (limits run in process).</param>
    public sealed record Readiness(string Status, string Postgres, string? Redis = null);
}
