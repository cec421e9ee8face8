using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat;

/// <summary>Writes server-sent events (one JSON object per <c>data:</c> line) and flushes each one.</summary>
public sealed class SseWriter(HttpContext http)
{
    private readonly JsonSerializerOptions _json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    public bool Started { get; private set; }

    public async Task StartAsync()
    {
        if (Started)
        {
            return;
        }

        Started = true;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise buffer the stream and defeat it.
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(http.RequestAborted);
    }

    public async Task WriteAsync<T>(string? eventName, T payload) => await WriteRawAsync(eventName, JsonSerializer.Serialize(payload, _json));

    public async Task WriteRawAsync(string? eventName, string data)
    {
        await StartAsync();
        var text = (eventName is null ? "" : $"event: {eventName}\n") + $"data: {data}\n\n";
        await http.Response.WriteAsync(text, http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }
}
