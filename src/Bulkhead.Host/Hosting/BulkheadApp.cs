using Bulkhead.Host.Api;
using Bulkhead.Host.Audit;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat;
using Bulkhead.Host.Compliance;
using Bulkhead.Host.Limits;
using Bulkhead.Host.Observability;
using Bulkhead.Host.WebConsole;

namespace Bulkhead.Host.Hosting;

/// <summary>Builds the HTTP server: one place that shows every layer a request passes through.</summary>
public static class BulkheadApp
{
    public const long MaxRequestBody = 1024 * 1024;

    /// <param name="configure">Extra configuration applied last (tests use it to point at their database).</param>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, string? urls = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddBulkheadSources();
        configure?.Invoke(builder.Configuration);
        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBody);

        // First of the hosted services: the server refuses to start before any background work begins.
        builder.Services.AddHostedService<IsolationPreflightService>();
        builder.AddBulkheadServices();
        builder.Services.AddBulkheadApi();
        builder.Services.AddBulkheadAuthentication(builder.Configuration);
        builder.AddBulkheadConsole();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBulkheadShutdown();
        app.UseAuthentication();
        app.UseMiddleware<CredentialGate>();
        app.UseMiddleware<TenantResolution>();
        app.UseMiddleware<TenantTelemetry>();
        app.UseAuthorization();
        app.UseMiddleware<AccessMonitor>();
        app.UseBulkheadLimits();

        app.MapOpenApi();
        app.MapHealthApi();
        app.MapMetrics();
        app.MapMeApi();
        app.MapConversationsApi();
        app.MapAdminTenantsApi();
        app.MapMoveStatusApi();
        app.MapChatApi();
        app.MapTenantConfigApi();
        app.MapApiKeysApi();
        app.MapOpenAIDoorApi();
        app.MapLimitsApi();
        app.MapAuditApi();
        app.MapComplianceApi();
        app.MapTenantUsersApi();
        app.MapBulkheadConsole();
        return app;
    }
}
