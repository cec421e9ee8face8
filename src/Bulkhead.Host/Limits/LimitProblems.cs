using System.Globalization;
using Bulkhead.Limits;
using Microsoft.AspNetCore.RateLimiting;

namespace Bulkhead.Host.Limits;

/// <summary>The 429 (and, in FailClosed mode, 503) problems of fair sharing, with the headers a client needs to wait right.</summary>
public static class LimitProblems
{
    public const string RateLimitedType = "/problems/rate-limited";
    public const string QuotaExceededType = "/problems/quota-exceeded";
    public const string LlmBusyType = "/problems/llm-concurrency";

    /// <summary>RateLimiterOptions.OnRejected: names the violated policy in the body and the headers.</summary>
    public static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        var outcome = context.Features.Get<RateLimitOutcome>();
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (outcome?.Violated is not { } policy)
        {
            await WriteAsync(context, StatusCodes.Status429TooManyRequests, RateLimitedType, "Too many requests; retry shortly.", []);
            return;
        }

        RateLimitHeaders.Write(context.Response, outcome);
        var seconds = RateLimitHeaders.Seconds(outcome.Decision.RetryAfter);
        var detail = policy.Name == RequestPolicy.User
            ? $"The per-user chat limit of {policy.RequestsPerMinute} requests per minute is used up; retry after {seconds} s."
            : $"The tenant's limit of {policy.RequestsPerMinute} requests per minute is used up; retry after {seconds} s.";
        await WriteAsync(context, StatusCodes.Status429TooManyRequests, RateLimitedType, detail, new Dictionary<string, object?>
        {
            ["policy"] = policy.Name,
            ["requests_per_minute"] = policy.RequestsPerMinute,
            ["retry_after"] = seconds,
        });
    }

    public static Task QuotaExceededAsync(HttpContext context, TokenQuotaExceededException e, TimeProvider time)
    {
        var wait = e.ResetsAt - time.GetUtcNow();
        context.Response.Headers.RetryAfter = RateLimitHeaders.Seconds(wait).ToString(CultureInfo.InvariantCulture);
        return WriteAsync(context, StatusCodes.Status429TooManyRequests, QuotaExceededType,
            $"The tenant's monthly quota of {e.MonthlyTokens} LLM tokens is used up; it resets at {e.ResetsAt:yyyy-MM-ddTHH:mm:ssZ}.",
            new Dictionary<string, object?>
            {
                ["policy"] = "monthly-tokens",
                ["monthly_tokens"] = e.MonthlyTokens,
                ["used_tokens"] = e.UsedTokens,
                ["requested_tokens"] = e.RequestedTokens,
                ["resets_at"] = e.ResetsAt,
            });
    }

    public static Task LlmBusyAsync(HttpContext context, LlmConcurrencyExceededException e)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteAsync(context, StatusCodes.Status429TooManyRequests, LlmBusyType,
            $"All {e.Cap} of the tenant's concurrent LLM calls are busy; retry shortly.",
            new Dictionary<string, object?> { ["policy"] = "llm-concurrency", ["max_concurrent_llm_calls"] = e.Cap });
    }

    public static Task LimiterUnavailableAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "/problems/limiter-unavailable",
            "The rate limiter cannot decide right now; retry shortly.", []);
    }

    private static async Task WriteAsync(HttpContext context, int status, string type, string detail, Dictionary<string, object?> extensions)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        var problem = new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = status,
                Type = type,
                Title = status == StatusCodes.Status429TooManyRequests ? "Too Many Requests" : "Service Unavailable",
                Detail = detail,
            },
        };
        foreach (var (key, value) in extensions)
        {
            problem.ProblemDetails.Extensions[key] = value;
        }

        // A client that accepts only text/event-stream (a chat stream) still gets the problem as JSON.
        if (!await problems.TryWriteAsync(problem))
        {
            await context.Response.WriteAsJsonAsync(problem.ProblemDetails, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
