using System.Net.Http.Headers;
using System.Security.Cryptography;
using Bulkhead.Host.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;

namespace Bulkhead.Tests.Support;

/// <summary>The real server (Kestrel, the full pipeline) on a free loopback port, against a test database.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private Task? _stopping;

    private RunningServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="extend">Maps extra endpoints before the server starts (the leak fuzzer's planted leak).</param>
    public static async Task<RunningServer> StartAsync(TestDatabase database, IDictionary<string, string?>? settings = null, Action<WebApplication>? extend = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Bulkhead:DatabaseConnection"] = database.AppConnection,
            ["Bulkhead:OwnerConnection"] = database.OwnerConnection,
            ["Bulkhead:Auth:Issuer"] = TestKeys.Issuer,
            ["Bulkhead:Auth:Audience"] = TestKeys.Audience,
            ["Bulkhead:Auth:SigningKeyFile"] = TestKeys.KeyFile,
            ["Bulkhead:Auth:DevelopmentKey"] = "true",
            ["Bulkhead:Keys:Path"] = TestKeyRing.Directory,
            ["Bulkhead:CursorKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Logging:LogLevel:Default"] = "Warning",
            // Request rate limits are off unless a test turns them on: tests that make hundreds of calls test something else.
            ["Bulkhead:Limits:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = BulkheadApp.Build([], c => c.AddInMemoryCollection(config), urls: "http://127.0.0.1:0");
        extend?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningServer(app, new Uri(address));
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Stops the server as SIGTERM does (drain, then stop); the same task however often it is called.</summary>
    public Task StopAsync() => _stopping ??= _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
