using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Host.Observability;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Audit;

/// <summary>Traces and metrics carry the tenant; the metric label stays bounded; /readyz checks Redis.</summary>
public sealed class ObservabilityTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task the_server_span_of_a_tenant_request_carries_the_tenant()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Schema);
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var client = fixture.Server.Client(TestKeys.Token(tenant.Id, "tracey"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/conversations?probe=trace")).StatusCode);

        // The server span stops just after the response is sent; wait for it, bounded.
        bool Mine(Activity s) => s.GetTagItem(TenantTelemetry.TenantAttribute) as string == tenant.Id.ToString();
        for (var i = 0; i < 100 && !spans.Any(Mine); i++)
        {
            await Task.Delay(20);
        }

        var span = Assert.Single(spans, Mine);
        Assert.Equal("schema", span.GetTagItem(TenantTelemetry.TierAttribute));
    }

    [Fact]
    public async Task the_prometheus_scrape_carries_the_tenant_label()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var client = fixture.Server.Client(TestKeys.Token(tenant.Id, "metric"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/conversations")).StatusCode);

        // The exporter caches a scrape for a moment; poll until this request is in it.
        string text = "";
        for (var i = 0; i < 50 && !text.Contains($"tenant=\"{tenant.Id}\"", StringComparison.Ordinal); i++)
        {
            text = await fixture.Server.Client(TestKeys.PlatformToken()).GetStringAsync("/metrics");
            await Task.Delay(100);
        }

        Assert.Contains("bulkhead_tenant_requests", text, StringComparison.Ordinal);
        Assert.Contains($"tenant=\"{tenant.Id}\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task metrics_are_no_existence_oracle_for_anonymous_callers_or_tenants()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Server.Client().GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Server.Client(TestKeys.Token(tenant.Id, "admin", "admin")).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Server.Client(TestKeys.PlatformToken()).GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public void tenant_labels_stay_bounded_however_many_tenants_there_are()
    {
        var labels = new TenantLabels(100);
        var first = Guid.NewGuid();
        Assert.Equal(first.ToString(), labels.For(first));

        var distinct = Enumerable.Range(0, 10_000).Select(_ => labels.For(Guid.NewGuid())).Append(labels.For(first)).Distinct().ToList();

        Assert.Equal(101, distinct.Count);
        Assert.Contains(TenantLabels.Other, distinct);
        Assert.Equal(first.ToString(), labels.For(first));
    }

    [Fact]
    public async Task readyz_checks_postgres_and_redis_when_redis_is_configured()
    {
        await using var withRedis = await RunningServer.StartAsync(fixture.Database, new Dictionary<string, string?>
        {
            ["Bulkhead:Limits:Redis"] = Bulkhead.Tests.Limits.TestRedis.Endpoint,
        });

        var ready = await withRedis.Client().GetFromJsonAsync<JsonNode>("/readyz");
        var plain = await fixture.Server.Client().GetFromJsonAsync<JsonNode>("/readyz");

        Assert.Equal(("ready", "ok", "ok"), (ready!["status"]!.GetValue<string>(), ready["postgres"]!.GetValue<string>(), ready["redis"]!.GetValue<string>()));
        Assert.Null(plain!["redis"]);
    }
}
