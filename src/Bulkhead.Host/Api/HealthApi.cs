using Npgsql;

namespace Bulkhead.Host.Api;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).WithTags("Health");
        app.MapGet("/readyz", ReadyAsync).WithTags("Health");
        return app;
    }

    private static async Task<Results<Ok<Readiness>, JsonHttpResult<Readiness>>> ReadyAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        try
        {
            await using var command = database.CreateCommand("select 1");
            await command.ExecuteScalarAsync(ct);
            return TypedResults.Ok(new Readiness("ready", "ok"));
        }
        catch (NpgsqlException)
        {
            return TypedResults.Json(new Readiness("not ready", "unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    public sealed record Readiness(string Status, string Postgres);
}
