using Npgsql;
using StackExchange.Redis;

namespace Bulkhead.Host.Api;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).WithTags("Health");
        app.MapGet("/readyz", ReadyAsync).WithTags("Health");
        return app;
    }

    /// <summary>Ready when PostgreSQL answers and, when the limits use Redis, Redis answers too.</summary>
    private static async Task<Results<Ok<Readiness>, JsonHttpResult<Readiness>>> ReadyAsync(NpgsqlDataSource database, IServiceProvider services, CancellationToken ct)
    {
        var postgres = "ok";
        try
        {
            await using var command = database.CreateCommand("select 1");
            await command.ExecuteScalarAsync(ct);
        }
        catch (NpgsqlException)
        {
            postgres = "unreachable";
        }

        string? redis = null;
        if (services.GetService<IConnectionMultiplexer>() is { } multiplexer)
        {
            try
            {
                await multiplexer.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), ct);
                redis = "ok";
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                redis = "unreachable";
            }
        }

        var ready = postgres == "ok" && redis is null or "ok";
        var readiness = new Readiness(ready ? "ready" : "not ready", postgres, redis);
        return ready ? TypedResults.Ok(readiness) : TypedResults.Json(readiness, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <param name="Redis">Null when no Redis is configured (limits run in process).</param>
    public sealed record Readiness(string Status, string Postgres, string? Redis = null);
}
