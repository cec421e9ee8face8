using Bulkhead.Limits;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Bulkhead.Host.Limits;

/// <summary>Fair sharing, wired in two calls: <c>AddBulkheadLimits</c> on the services, <c>UseBulkheadLimits</c> on the pipeline.</summary>
public static class LimitsSetup
{
    /// <summary>
    /// Registers the request limiter (Redis when <c>Bulkhead:Limits:Redis</c> is set, in process otherwise),
    /// <see cref="ITokenQuota"/>, <see cref="ILlmConcurrencyGate"/> and the 429 problems. Call it before the
    /// catch-all exception handler is registered, so that its handler is asked first.
    /// </summary>
    public static IServiceCollection AddBulkheadLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section)
            .Validate(o => o.InstanceCount >= 1, "Bulkhead:Limits:InstanceCount must be at least 1.")
            .Validate(o => o.LeaseMax >= 1 && o.LeaseLifetime > TimeSpan.Zero && o.LeaseLifetime <= TimeSpan.FromSeconds(10),
                "Bulkhead:Limits: LeaseMax must be at least 1 and LeaseLifetime between 0 and 10 seconds.")
            .Validate(o => LimitSet.IsValidBurst(o.BurstSeconds), $"Bulkhead:Limits:BurstSeconds must be between 1 and {LimitSet.MaxBurstSeconds}.")
            .Validate(o => o.RedisTimeout > TimeSpan.Zero && o.RedisProbeInterval > TimeSpan.Zero && o.PolicyCacheTtl >= TimeSpan.Zero && o.LlmQueueTimeout >= TimeSpan.Zero,
                "Bulkhead:Limits: RedisTimeout and RedisProbeInterval must be positive, PolicyCacheTtl and LlmQueueTimeout not negative.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LimitsOptions>>().Value);

        // Where decisions are made is chosen while the services are registered: Redis when it is configured.
        var redis = !string.IsNullOrWhiteSpace(configuration[$"{LimitsOptions.Section}:{nameof(LimitsOptions.Redis)}"]);
        if (redis)
        {
            services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(RedisConfiguration(sp.GetRequiredService<LimitsOptions>())));
        }

        services.AddSingleton(sp => new TenantLimitsSource(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Tenancy.PlanCatalog>(), sp.GetRequiredService<LimitsOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ResilientGcra(
            redis ? sp.GetRequiredService<IConnectionMultiplexer>() : null, sp.GetRequiredService<LimitsOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ResilientGcra>>()));
        services.AddSingleton<IGcraLimiter>(sp => sp.GetRequiredService<ResilientGcra>());
        services.AddSingleton<ITokenQuota, TokenQuota>();
        services.AddSingleton<ILlmConcurrencyGate, LlmConcurrencyGate>();
        services.AddSingleton<TenantRateLimiter>();
        services.AddHostedService<LimitsStartupReport>();
        services.AddExceptionHandler<LimitExceptionHandler>();

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = LimitProblems.OnRejectedAsync;
        });
        services.AddOptions<RateLimiterOptions>().Configure<TenantRateLimiter>((limiter, tenants) => limiter.GlobalLimiter = tenants);
        return services;
    }

    /// <summary>Adds the limiter and its headers to the pipeline (after tenant resolution, so that the tenant is known).</summary>
    public static WebApplication UseBulkheadLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseMiddleware<RateLimitHeaders>();
        return app;
    }

    public static ConfigurationOptions RedisConfiguration(LimitsOptions options)
    {
        var redis = ConfigurationOptions.Parse(options.Redis!);
        redis.AbortOnConnectFail = false;
        // Fail fast while disconnected instead of queueing: the fallback limiter decides within RedisTimeout.
        redis.BacklogPolicy = BacklogPolicy.FailFast;
        redis.ConnectTimeout = (int)Math.Max(options.RedisTimeout.TotalMilliseconds, 1000);
        redis.AsyncTimeout = (int)Math.Max(options.RedisTimeout.TotalMilliseconds, 1000);
        redis.ReconnectRetryPolicy = new LinearRetry((int)options.RedisProbeInterval.TotalMilliseconds);
        redis.ClientName = "bulkhead-limits";
        return redis;
    }
}
