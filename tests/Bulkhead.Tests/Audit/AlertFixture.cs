using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Bulkhead.Tests.Audit;

/// <summary>
/// A server with low alert thresholds whose webhook points at a receiver on 127.0.0.1 that fails its first
/// two deliveries, and whose token subs are taken to name one principal across tenants (as an identity
/// provider's do); and a second server on the same database with the default alert settings.
/// </summary>
public sealed class AlertFixture : IAsyncLifetime
{
    public const string Secret = "test-webhook-secret-0123456789";

    private WebApplication _receiver = null!;
    private int _deliveries;

    public TestDatabase Database { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    /// <summary>Default alert settings, development tokens: a sub is a tenant's own user id.</summary>
    public RunningServer Defaults { get; private set; } = null!;

    /// <summary>Deliveries that were answered 200: body, timestamp and signature headers.</summary>
    public ConcurrentQueue<(string Body, string Timestamp, string Signature)> Received { get; } = new();

    public int Attempts => _deliveries;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            // The first two deliveries fail, so every test run also exercises the retries.
            if (Interlocked.Increment(ref _deliveries) <= 2)
            {
                return Results.StatusCode(503);
            }

            Received.Enqueue((body, request.Headers["X-Bulkhead-Timestamp"].ToString(), request.Headers["X-Bulkhead-Signature"].ToString()));
            return Results.Ok();
        });
        await _receiver.StartAsync();
        var hook = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

        Database = await TestDatabase.CreateAsync();
        Server = await RunningServer.StartAsync(Database, new Dictionary<string, string?>
        {
            ["Bulkhead:Alerts:WebhookUrl"] = hook,
            ["Bulkhead:Alerts:WebhookSecret"] = Secret,
            ["Bulkhead:Alerts:WebhookRetryDelay"] = "00:00:00.050",
            ["Bulkhead:Alerts:EnumerationThreshold"] = "8",
            ["Bulkhead:Alerts:SubjectScope"] = "Issuer",
        });
        Defaults = await RunningServer.StartAsync(Database);
    }

    /// <summary>Polls the platform's alert list until an alert matches (alert work runs off the request path).</summary>
    public async Task<JsonNode?> WaitForAlertAsync(Func<JsonNode, bool> match, int seconds = 20)
    {
        using var platform = Server.Client(TestKeys.PlatformToken());
        for (var i = 0; i < seconds * 10; i++)
        {
            var page = await platform.GetFromJsonAsync<JsonNode>("/api/admin/alerts?limit=100");
            if (page!["items"]!.AsArray().FirstOrDefault(a => match(a!)) is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        return null;
    }

    public async Task DisposeAsync()
    {
        await Defaults.DisposeAsync();
        await Server.DisposeAsync();
        await Database.DisposeAsync();
        await _receiver.StopAsync();
        await _receiver.DisposeAsync();
    }
}
