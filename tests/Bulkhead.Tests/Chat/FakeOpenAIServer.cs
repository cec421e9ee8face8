using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulkhead.Tests.Chat;

/// <summary>
/// An OpenAI-compatible model server on a loopback port: real HTTP, real SSE. It records every request and
/// behaves by model name, so a tenant's configuration picks the behaviour:
/// <c>fake-ok</c> answers, <c>fake-slow</c> streams one word and then waits until the caller leaves,
/// <c>fake-500</c> fails, <c>fake-hang</c> never answers, <c>fake-malformed</c> breaks its stream after one word,
/// <c>fake-held</c> streams one word and the rest once <see cref="Release"/> is called.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    public static readonly string[] Models = ["fake-ok", "fake-slow", "fake-500", "fake-hang", "fake-malformed", "fake-held"];

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeOpenAIServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>Lets every <c>fake-held</c> stream, now and later, go on past its first word.</summary>
    public void Release() => _released.TrySetResult();

    public static async Task<FakeOpenAIServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeOpenAIServer(app);
        app.MapPost("/v1/chat/completions", fake.CompleteAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
        return fake;
    }

    /// <summary>The requests whose system prompt is exactly <paramref name="systemPrompt"/> (each test's tenants have their own).</summary>
    public IReadOnlyList<RecordedRequest> RequestsWithSystemPrompt(string systemPrompt) =>
        Requests.Where(r => r.SystemPrompt == systemPrompt).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task CompleteAsync(HttpContext http)
    {
        var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        var recorded = new RecordedRequest(body, http.Request.Headers.Authorization.ToString());
        _requests.Enqueue(recorded);
        var ct = http.RequestAborted;
        ct.Register(recorded.MarkAborted);
        var model = recorded.Model;
        var last = body["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
        var words = new[] { "fake ", "reply ", "to: ", last };

        switch (model)
        {
            case "fake-500":
                http.Response.StatusCode = 500;
                await http.Response.WriteAsJsonAsync(new { error = new { message = "the fake failed", type = "server_error" } }, ct);
                return;
            case "fake-hang":
                await WaitForeverAsync(ct);
                return;
        }

        if (body["stream"]?.GetValue<bool>() != true)
        {
            await http.Response.WriteAsJsonAsync(new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion",
                ["created"] = 1_700_000_000,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(words) },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 7, ["total_tokens"] = 18 },
            }, ct);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        foreach (var word in words)
        {
            await SendAsync(http, Chunk(model, new JsonObject { ["content"] = word }, null), ct);
            if (model == "fake-slow")
            {
                await WaitForeverAsync(ct);
                return;
            }

            if (model == "fake-held" && word == words[0])
            {
                await _released.Task.WaitAsync(ct);
            }

            if (model == "fake-malformed")
            {
                await http.Response.WriteAsync("data: {\"id\": \"chatcmpl-fake\", \"choices\": [{\"delta\": \n\n", ct);
                return;
            }
        }

        await SendAsync(http, Chunk(model, new JsonObject(), "stop"), ct);
        var usage = Chunk(model, null, null);
        usage["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 7, ["total_tokens"] = 18 };
        await SendAsync(http, usage, ct);
        await http.Response.WriteAsync("data: [DONE]\n\n", ct);
    }

    private static async Task WaitForeverAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static JsonObject Chunk(string model, JsonObject? delta, string? finish) => new()
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_700_000_000,
        ["model"] = model,
        ["choices"] = delta is null
            ? new JsonArray()
            : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static async Task SendAsync(HttpContext http, JsonObject chunk, CancellationToken ct)
    {
        await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }
}

/// <summary>One request the fake received, as sent.</summary>
public sealed class RecordedRequest(JsonObject body, string authorization)
{
    public JsonObject Body { get; } = body;

    public string Authorization { get; } = authorization;

    private int _aborted;

    /// <summary>True once the caller went away before the answer was complete.</summary>
    public bool Aborted => Volatile.Read(ref _aborted) == 1;

    public void MarkAborted() => Volatile.Write(ref _aborted, 1);

    public string Model => Body["model"]!.GetValue<string>();

    public double? Temperature => Body["temperature"]?.GetValue<double>();

    public int? MaxTokens => (Body["max_completion_tokens"] ?? Body["max_tokens"])?.GetValue<int>();

    public IReadOnlyList<(string Role, string Content)> Messages => Body["messages"]!.AsArray()
        .Select(m => (m!["role"]!.GetValue<string>(), m["content"] is JsonValue v ? v.GetValue<string>() : string.Concat(m["content"]!.AsArray().Select(p => p!["text"]!.GetValue<string>()))))
        .ToList();

    public string? SystemPrompt => Messages.FirstOrDefault(m => m.Role is "system" or "developer").Content;

    public override string ToString() => Body.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
