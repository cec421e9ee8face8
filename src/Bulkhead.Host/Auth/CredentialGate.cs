using Microsoft.Net.Http.Headers;

namespace Bulkhead.Host.Auth;

/// <summary>
/// A request that presents credentials which did not authenticate gets 401 on every route, anonymous ones
/// included: a malformed, forged, expired or foreign credential is refused the same way wherever it is sent,
/// rather than quietly served as anonymous on some routes.
/// </summary>
public sealed class CredentialGate(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (context.Request.Headers.ContainsKey(HeaderNames.Authorization) && context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status401Unauthorized,
                    Title = "Unauthorized",
                    Detail = "The Authorization header holds no valid bearer token or API key.",
                },
            });
            return;
        }

        await next(context);
    }
}
