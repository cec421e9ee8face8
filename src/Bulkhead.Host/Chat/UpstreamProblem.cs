using Bulkhead.Host.Chat.Engine;
using Microsoft.AspNetCore.Mvc;

namespace Bulkhead.Host.Chat;

/// <summary>What a client is told when a model call fails: 503 when it cannot be made, 504 for a timeout, 502 for anything else.</summary>
public static class UpstreamProblem
{
    public static int StatusFor(ModelFailure failure) => failure.Fault switch
    {
        ModelFault.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ModelFault.TimedOut => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status502BadGateway,
    };

    public static ProblemHttpResult For(ModelFailure failure) =>
        TypedResults.Problem(statusCode: StatusFor(failure), title: Title(failure), detail: failure.Detail);

    /// <summary>The problem as the <c>error</c> event of a stream that had started.</summary>
    public static ProblemDetails Details(ModelFailure failure) =>
        new() { Status = StatusFor(failure), Title = Title(failure), Detail = failure.Detail };

    private static string Title(ModelFailure failure) => failure.Fault switch
    {
        ModelFault.Unavailable => "Service Unavailable",
        ModelFault.TimedOut => "Gateway Timeout",
        _ => "Bad Gateway",
    };
}
