using System.Globalization;
using System.Text;

namespace Bulkhead.Host.Limits;

/// <summary>
/// The IETF draft's headers (draft-ietf-httpapi-ratelimit-headers): <c>RateLimit-Policy</c> names each
/// policy's burst quota q over window w seconds, <c>RateLimit</c> its remaining r and the seconds t until
/// the whole quota is back. Set on every response of a limited request, admitted or not.
/// </summary>
public sealed class RateLimitHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<RateLimitOutcome>() is { } outcome)
        {
            // At start rather than now: the exception handler clears headers set before a handler threw.
            context.Response.OnStarting(() =>
            {
                Write(context.Response, outcome);
                return Task.CompletedTask;
            });
        }

        return next(context);
    }

    public static void Write(HttpResponse response, RateLimitOutcome outcome)
    {
        var policy = new StringBuilder();
        var state = new StringBuilder();
        for (var i = 0; i < outcome.Policies.Count; i++)
        {
            var p = outcome.Policies[i];
            var s = outcome.Decision.Rules[i];
            var separator = i == 0 ? "" : ", ";
            policy.Append(CultureInfo.InvariantCulture, $"{separator}\"{p.Name}\";q={p.Rule.Burst};w={p.WindowSeconds}");
            state.Append(CultureInfo.InvariantCulture, $"{separator}\"{p.Name}\";r={s.Remaining};t={Seconds(s.ResetAfter)}");
        }

        response.Headers["RateLimit-Policy"] = policy.ToString();
        response.Headers["RateLimit"] = state.ToString();
        if (!outcome.Decision.Allowed)
        {
            response.Headers.RetryAfter = Seconds(outcome.Decision.RetryAfter).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Whole seconds, rounded up, so that a client waiting that long is admitted.</summary>
    public static long Seconds(TimeSpan span) => Math.Max(0, (long)Math.Ceiling(span.TotalSeconds));
}
