using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Bulkhead.Tests.Hosting;

/// <summary>
/// What a node does between SIGTERM and exit: readiness fails at once, new requests are refused, and the
/// requests in flight (a stream here) finish within the grace period, or are cut when it is over.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GracefulShutdownTests(GracefulShutdownTests.Fixture fixture) : IClassFixture<GracefulShutdownTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync() => Database = await TestDatabase.CreateAsync();

        public async Task DisposeAsync() => await Database.DisposeAsync();
    }

    [Fact]
    public async Task on_shutdown_readiness_fails_new_requests_get_503_and_a_stream_in_flight_finishes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await RunningServer.StartAsync(fixture.Database, extend: app => MapStream(app, release.Task));
        using var client = server.Client();
        using var stream = await client.GetAsync("/test/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("data: first", await reader.ReadLineAsync());

        var stopping = server.StopAsync();
        await Eventually.UntilAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "/readyz fails once the node drains");
        var readiness = await (await client.GetAsync("/readyz")).ReadJsonAsync();
        Assert.True(readiness["draining"]!.GetValue<bool>());

        using var refused = await client.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        Assert.False(stopping.IsCompleted, "the server stopped while a stream was in flight");

        release.SetResult();
        Assert.Equal("", await reader.ReadLineAsync());
        Assert.Equal("data: last", await reader.ReadLineAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<HttpRequestException>(() => server.Client().GetAsync("/healthz"));
    }

    [Fact]
    public async Task a_stream_that_outlives_the_grace_period_is_cut_and_the_node_still_stops()
    {
        await using var server = await RunningServer.StartAsync(fixture.Database, new Dictionary<string, string?>
        {
            ["Bulkhead:Shutdown:GracePeriod"] = "00:00:01",
        }, app => MapStream(app, Task.Delay(Timeout.Infinite)));
        using var client = server.Client();
        using var stream = await client.GetAsync("/test/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("data: first", await reader.ReadLineAsync());

        var clock = Stopwatch.StartNew();
        await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"stopped after {clock.Elapsed}, before the grace period was over");
        var rest = "";
        var cut = await Record.ExceptionAsync(async () => rest = await reader.ReadToEndAsync());
        Assert.True(cut is not null || !rest.Contains("data: last", StringComparison.Ordinal), "the stream was not cut");
    }

    /// <summary>An endpoint that streams one event, waits for <paramref name="release"/>, then streams the last.</summary>
    private static void MapStream(WebApplication app, Task release) =>
        app.MapGet("/test/stream", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync("data: first\n\n");
            await http.Response.Body.FlushAsync();
            await release.WaitAsync(http.RequestAborted);
            await http.Response.WriteAsync("data: last\n\n");
        });
}
