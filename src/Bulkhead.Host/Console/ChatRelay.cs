using System.Text.Json.Serialization;
using Bulkhead.Host.Api;
using Microsoft.AspNetCore.Antiforgery;

namespace Bulkhead.Host.WebConsole;

/// <summary>
/// <c>POST /console/chat/{id}</c>: the page script's one call. It carries the antiforgery token in a header
/// (a cross-site page can neither read the token nor send the header without CORS, which this server never
/// grants), and is relayed byte for byte to <c>POST /api/conversations/{id}/messages</c> with the session's
/// token: the same stream, limits, 429s and audit as any API client gets.
/// </summary>
public static class ChatRelay
{
    public static IEndpointRouteBuilder MapChatRelay(this IEndpointRouteBuilder app)
    {
        app.MapPost("/console/chat/{id:guid}", RelayAsync).RequireAuthorization(ConsoleSessions.Policy).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task RelayAsync(Guid id, SendRequest body, HttpContext http, IAntiforgery antiforgery, ConsoleApi api)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "The request carries no valid antiforgery token; reload the page.").ExecuteAsync(http);
            return;
        }

        var ct = http.RequestAborted;
        using var answer = await api.StreamAsync($"/api/conversations/{id}/messages", new CreateMessageRequest(body.Content), ct);
        http.Response.StatusCode = (int)answer.StatusCode;
        foreach (var header in new[] { "Retry-After", "RateLimit-Policy", "RateLimit" })
        {
            if (answer.Headers.TryGetValues(header, out var values))
            {
                http.Response.Headers[header] = values.ToArray();
            }
        }

        http.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
        http.Response.Headers.CacheControl = "no-cache";
        await using var stream = await answer.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
            await http.Response.Body.FlushAsync(ct);
        }
    }

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record SendRequest(string? Content);
}
