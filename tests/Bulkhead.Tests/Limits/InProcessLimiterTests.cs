using System.Net;
using Bulkhead.Host.Limits;
using Bulkhead.Limits;
using Microsoft.Extensions.Logging;

namespace Bulkhead.Tests.Limits;

/// <summary>A server with no Redis configured: the same GCRA, in process, and it says so.</summary>
public sealed class InProcessLimiterFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Server = await RunningServer.StartAsync(Database, LimitsServer.Settings(redis: null));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public sealed class InProcessLimiterTests(InProcessLimiterFixture api) : IClassFixture<InProcessLimiterFixture>
{
    [Fact]
    public async Task without_redis_the_same_limits_hold_in_process()
    {
        var tenant = await api.Database.CreateTenantAsync();
        await api.Server.LimitAsync(tenant, requestsPerMinute: 1);
        using var client = api.Server.Client(TestKeys.Token(tenant.Id, "alice"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add(await client.GetAsync("/api/me").StatusOfAsync());
        }

        // 1/min: one now, the next a minute later.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.False(api.Server.Services.GetRequiredService<ResilientGcra>().UsingRedis);
    }

    [Fact]
    public async Task without_redis_the_server_says_at_start_up_that_limits_are_per_instance()
    {
        var log = new RecordingLogger<LimitsStartupReport>();
        var report = new LimitsStartupReport(new LimitsOptions(), api.Server.Services, log);

        await report.StartAsync(default);

        var (level, message) = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("in this process only", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_reservation_over_quota_becomes_a_429_quota_exceeded_problem_with_the_reset_time()
    {
        var resetsAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = api.Server.Services };
        context.Response.Body = new MemoryStream();
        var handler = new LimitExceptionHandler(new ManualClock(resetsAt.AddHours(-2)));

        var handled = await handler.TryHandleAsync(context, new TokenQuotaExceededException(1000, 990, 50, resetsAt), default);

        Assert.True(handled);
        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("7200", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        var problem = System.Text.Json.Nodes.JsonNode.Parse(context.Response.Body)!;
        Assert.Equal("/problems/quota-exceeded", problem["type"]!.GetValue<string>());
        Assert.Equal(resetsAt, problem["resets_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1000, problem["monthly_tokens"]!.GetValue<long>());
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task other_exceptions_are_left_to_the_catch_all_handler()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = api.Server.Services };

        var handled = await new LimitExceptionHandler(TimeProvider.System).TryHandleAsync(context, new InvalidOperationException(), default);

        Assert.False(handled);
    }

    private sealed class RecordingLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
