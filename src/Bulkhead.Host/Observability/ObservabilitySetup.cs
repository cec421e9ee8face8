using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Bulkhead.Host.Observability;

/// <summary>
/// OpenTelemetry traces and metrics for ASP.NET Core, HttpClient (the LLM provider, the alert webhook)
/// and Npgsql, plus Bulkhead's own instruments; Prometheus scrapes /metrics, and an OTLP endpoint
/// receives both when configured. The tenant is a span attribute (unbounded values cost nothing there)
/// and a bounded metric label (see <see cref="TenantLabels"/>).
/// </summary>
public static class ObservabilitySetup
{
    public const string ServiceName = "bulkhead";

    public static IServiceCollection AddBulkheadObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.TenantLabels >= 0, "Bulkhead:Telemetry:TenantLabels must not be negative.")
            .Validate(o => o.OtlpEndpoint is not { Length: > 0 } || Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out _), "Bulkhead:Telemetry:OtlpEndpoint must be an absolute URL.")
            .ValidateOnStart();
        services.AddSingleton(sp => new TenantLabels(sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.TenantLabels));
        services.AddSingleton<BulkheadMetrics>();

        // Whether to trace and export is chosen while the services are registered: only when an endpoint is configured.
        var otlp = Uri.TryCreate(configuration[$"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpEndpoint)}"], UriKind.Absolute, out var endpoint) ? endpoint : null;
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(ServiceName));
        if (otlp is not null)
        {
            // Spans only when there is somewhere to send them: recording every request's spans for no
            // exporter costs each request allocations and tags that nobody reads.
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(Bulkhead.Host.Chat.Providers.ModelProviders.TelemetrySource)
                .AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (new Uri(otlp, "v1/traces"), OtlpExportProtocol.HttpProtobuf)));
        }

        telemetry
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddMeter(BulkheadMetrics.MeterName)
                    .AddMeter(Bulkhead.Host.Chat.Providers.ModelProviders.TelemetrySource)
                    .AddPrometheusExporter();
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (new Uri(otlp, "v1/metrics"), OtlpExportProtocol.HttpProtobuf));
                }
            });
        return services;
    }

    /// <summary>Serves the Prometheus scrape at /metrics.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        // Platform operators only: the scrape names tenants and counts security alerts, which would tell an
        // anonymous caller which tenant ids exist and when a probe of one was noticed.
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Bulkhead.Host.Auth.Policies.Platform);
        return app;
    }
}
