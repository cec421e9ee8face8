using System.Text.Json;
using Bulkhead.Chat;
using Bulkhead.Host.Api;
using Bulkhead.Host.Audit;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat;
using Bulkhead.Host.Compliance;
using Bulkhead.Host.Crypto;
using Bulkhead.Host.Limits;
using Bulkhead.Host.Observability;
using Bulkhead.Host.WebConsole;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

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

        var section = builder.Configuration.GetSection(BulkheadOptions.Section);
        var options = section.Get<BulkheadOptions>() ?? new BulkheadOptions();
        if (string.IsNullOrWhiteSpace(options.DatabaseConnection))
        {
            throw new InvalidOperationException(
                "Bulkhead:DatabaseConnection is not set. Run './bulkhead up', or set Bulkhead__DatabaseConnection to a connection string for the bulkhead_app role.");
        }

        builder.Services.Configure<BulkheadOptions>(section);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBody);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(RuntimeConnection.Prepared(options.DatabaseConnection)).Build());
        builder.Services.AddBulkheadKeys(builder.Configuration);
        builder.Services.AddBulkheadTiers(builder.Configuration, options);
        builder.Services.AddSingleton(sp => new TenantCatalog(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton(sp => new PlanCatalog(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<TenantDirectory>();
        builder.Services.AddSingleton(new CursorCodec(BulkheadConfiguration.ResolveCursorKey(options)));
        builder.Services.AddSingleton(new ApiKeySigning(TenantApiKey.SigningKey(BulkheadConfiguration.ResolveApiKeySecret(options))));
        builder.Services.AddSingleton<FailedAuthentication>();
        builder.Services.AddHostedService<IsolationPreflightService>();
        builder.Services.AddBulkheadShutdown(builder.Configuration);
        builder.Services.AddBulkheadLimits(builder.Configuration);
        builder.Services.AddBulkheadChat();
        builder.Services.AddBulkheadObservability(builder.Configuration);
        builder.Services.AddBulkheadAudit(builder.Configuration);
        builder.Services.AddBulkheadCompliance(builder.Configuration);

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.AllowDuplicateProperties = false;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddBulkheadAuthentication(options);
        builder.Services.AddOpenApi();
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
