using Bulkhead.Host.Hosting;

namespace Bulkhead.Host.Api;

/// <summary>
/// Routes that run as the owner role. On a server not given the owner connection they stay mapped (the API
/// has the same shape, and the leak fuzzer finds them either way) but answer 503, before anything is bound
/// or resolved.
/// </summary>
public static class OwnerRoutes
{
    public static RouteGroupBuilder RequireOwnerConnection(this RouteGroupBuilder group, IEndpointRouteBuilder app)
    {
        if (!DataSources.HasOwner(app.ServiceProvider.GetRequiredService<IConfiguration>()))
        {
            // Finally: after the handler's own delegate is built, so that this one replaces it.
            ((IEndpointConventionBuilder)group).Finally(endpoint => endpoint.RequestDelegate = context => Unavailable.ExecuteAsync(context));
        }

        return group;
    }

    private static readonly ProblemHttpResult Unavailable = TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable",
        detail: "Tenant provisioning needs the owner connection (Bulkhead:OwnerConnection), which this server was not given.");
}
