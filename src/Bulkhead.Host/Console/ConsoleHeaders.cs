namespace Bulkhead.Host.WebConsole;

/// <summary>
/// Headers on every console response: a Content-Security-Policy that lets the page run only this server's
/// own scripts and styles (no inline script, no eval) and talk only to this server, no framing, no caching
/// of pages that show tenant data.
/// </summary>
public sealed class ConsoleHeaders(RequestDelegate next, string formTargets)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy =
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                $"form-action {formTargets}; frame-ancestors 'none'; base-uri 'self'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            if (!headers.ContainsKey("Cache-Control"))
            {
                headers.CacheControl = context.Request.Path.StartsWithSegments("/_framework") ? "no-cache" : "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
