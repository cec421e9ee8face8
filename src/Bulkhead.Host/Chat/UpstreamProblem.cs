using System.ClientModel;
using Polly.Timeout;

namespace Bulkhead.Host.Chat;

/// <summary>What a client is told when the model provider fails: 504 for a timeout, 502 for anything else.</summary>
public static class UpstreamProblem
{
    public static int StatusFor(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is TimeoutRejectedException or TimeoutException or OperationCanceledException)
            {
                return StatusCodes.Status504GatewayTimeout;
            }
        }

        return StatusCodes.Status502BadGateway;
    }

    public static ProblemHttpResult For(Exception failure)
    {
        var status = StatusFor(failure);
        return TypedResults.Problem(
            statusCode: status,
            title: status == StatusCodes.Status504GatewayTimeout ? "Gateway Timeout" : "Bad Gateway",
            detail: Detail(failure));
    }

    /// <summary>Says what went wrong without echoing the provider's body, which could hold anything.</summary>
    public static string Detail(Exception failure) => StatusFor(failure) == StatusCodes.Status504GatewayTimeout
        ? "The model provider did not answer in time; no reply was stored as complete."
        : failure is ClientResultException { Status: > 0 } http
            ? $"The model provider answered with status {http.Status}; no reply was stored as complete."
            : "The model provider's answer could not be read; no reply was stored as complete.";

    public static ProblemHttpResult Unavailable(ModelUnavailableException e) => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Service Unavailable",
        detail: e.Message);
}
