using System.Net;
using System.Net.Http.Json;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Limits;

/// <summary>A test database and a server with request limits on, deciding in the run's Redis.</summary>
public sealed class LimitsFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Server = await RunningServer.StartAsync(Database, LimitsServer.Settings(TestRedis.Endpoint));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public static class LimitsServer
{
    /// <param name="redisTimeout">
    /// Generous by default: on a busy test machine a slow Redis answer must not switch a correctness test to
    /// the fallback. The outage test passes the production default.
    /// </param>
    public static Dictionary<string, string?> Settings(string? redis, int instances = 1, string redisTimeout = "00:00:05") => new()
    {
        ["Bulkhead:Limits:Enabled"] = "true",
        ["Bulkhead:Limits:RedisTimeout"] = redisTimeout,
        ["Bulkhead:Limits:Redis"] = redis,
        ["Bulkhead:Limits:InstanceCount"] = instances.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Sets a tenant's overrides through the platform admin API, as an operator would.</summary>
    public static async Task LimitAsync(this RunningServer server, Tenant tenant, int? requestsPerMinute = null, int? userRequestsPerMinute = null,
        long? monthlyTokens = null, int? maxConcurrentLlmCalls = null, int? burstSeconds = null)
    {
        using var platform = server.Client(TestKeys.PlatformToken());
        var response = await platform.PutAsync($"/api/admin/tenants/{tenant.Id}/limits", Http.Json(new Dictionary<string, object?>
        {
            ["requests_per_minute"] = requestsPerMinute,
            ["user_requests_per_minute"] = userRequestsPerMinute,
            ["monthly_tokens"] = monthlyTokens,
            ["max_concurrent_llm_calls"] = maxConcurrentLlmCalls,
            ["burst_seconds"] = burstSeconds,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<HttpStatusCode> StatusOfAsync(this Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return response.StatusCode;
    }

    public static Task<HttpResponseMessage> PostMessageAsync(this HttpClient client, Guid conversation, string content = "hello") =>
        client.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content });
}
