using System.Text.Json;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Api;

/// <summary>What every HTTP API shares: snake_case JSON, problem responses, sealed cursors and the OpenAPI document.</summary>
public static class ApiSetup
{
    /// <summary>Registers the catch-all exception handler: call it after the features whose own handlers are asked first (limits).</summary>
    public static IServiceCollection AddBulkheadApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton(sp => new CursorCodec(BulkheadConfiguration.ResolveCursorKey(sp.GetRequiredService<IOptions<BulkheadOptions>>().Value)));
        services.AddOpenApi();
        return services;
    }
}
