using System.Net;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;

namespace Bulkhead.Tests.Chat;

/// <summary>
/// The endpoint's circuit breaker judges the endpoint, not one caller's key: a flood of 429s (a tenant's own
/// key out of quota) leaves it closed for everyone, while server errors open it.
/// </summary>
public sealed class EndpointBreakerTests
{
    private const int Flood = 150;

    [Fact]
    public async Task a_flood_of_429s_leaves_the_circuit_closed_while_server_errors_open_it()
    {
        await using var upstream = await StatusServer.StartAsync();
        await using var services = Services(upstream.BaseUrl);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(EndpointResilience.HttpClientName);

        upstream.Status = HttpStatusCode.TooManyRequests;
        for (var i = 0; i < Flood; i++)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync(upstream.BaseUrl + "/chat/completions", null)).StatusCode);
        }

        upstream.Status = HttpStatusCode.OK;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(upstream.BaseUrl + "/chat/completions", null)).StatusCode);

        upstream.Status = HttpStatusCode.ServiceUnavailable;
        var broken = false;
        for (var i = 0; i < Flood && !broken; i++)
        {
            try
            {
                await client.PostAsync(upstream.BaseUrl + "/chat/completions", null);
            }
            catch (BrokenCircuitException)
            {
                broken = true;
            }
        }

        upstream.Status = HttpStatusCode.OK;
        Assert.True(broken, "server errors never opened the circuit");
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.PostAsync(upstream.BaseUrl + "/chat/completions", null));
    }

    private static ServiceProvider Services(string baseUrl)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<BulkheadOptions>(o => o.Chat.OpenAICompatible.Add(new OpenAIEndpointOptions
        {
            Name = "limited",
            BaseUrl = baseUrl,
            Models = ["any"],
            MaxRetries = 0,
        }));
        services.AddEndpointHttpClient();
        return services.BuildServiceProvider();
    }

    /// <summary>A loopback HTTP server that answers every request with the status it is told to.</summary>
    private sealed class StatusServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private StatusServer(WebApplication app) => _app = app;

        public volatile HttpStatusCode Status = HttpStatusCode.OK;

        public string BaseUrl { get; private set; } = "";

        public static async Task<StatusServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var server = new StatusServer(app);
            app.Run(http =>
            {
                http.Response.StatusCode = (int)server.Status;
                return Task.CompletedTask;
            });
            await app.StartAsync();
            server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
