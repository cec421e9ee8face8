using System.Net;
using Bulkhead.Host.Auth;
using Bulkhead.Limits;

namespace Bulkhead.Tests.Limits;

/// <summary>The request limiter as clients meet it: real server, real PostgreSQL, real Redis.</summary>
public sealed class RateLimitApiTests(LimitsFixture api) : IClassFixture<LimitsFixture>
{
    [Fact]
    public async Task over_the_tenant_limit_a_request_gets_429_with_retry_after_and_a_problem_naming_the_policy()
    {
        var tenant = await api.Database.CreateTenantAsync();
        await api.Server.LimitAsync(tenant, requestsPerMinute: 6, burstSeconds: 10);
        using var client = api.Server.Client(TestKeys.Token(tenant.Id, "alice"));

        using var admitted = await client.GetAsync("/api/me");
        using var refused = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal("\"tenant\";q=1;w=10", Header(admitted, "RateLimit-Policy"));
        Assert.StartsWith("\"tenant\";r=0;t=", Header(admitted, "RateLimit"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(Header(refused, "Retry-After"), System.Globalization.CultureInfo.InvariantCulture), 1, 10);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadJsonAsync();
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        Assert.Equal("/problems/rate-limited", problem["type"]!.GetValue<string>());
        Assert.Equal("tenant", problem["policy"]!.GetValue<string>());
        Assert.NotNull(Header(refused, "RateLimit"));
    }

    [Fact]
    public async Task every_response_of_a_limited_tenant_carries_the_ratelimit_header()
    {
        var tenant = await api.Database.CreateTenantAsync();
        await api.Server.LimitAsync(tenant, requestsPerMinute: 600);
        using var client = api.Server.Client(TestKeys.Token(tenant.Id, "bob"));

        using var me = await client.GetAsync("/api/me");
        using var created = await client.PostAsync("/api/conversations", Http.Json(new { title = "t" }));
        using var missing = await client.GetAsync($"/api/conversations/{Guid.CreateVersion7()}");
        using var badInput = await client.PostAsync("/api/conversations", Http.Json("{\"tenant_id\":\"x\"}"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.NotFound, HttpStatusCode.BadRequest],
            new[] { me, created, missing, badInput }.Select(r => r.StatusCode));
        Assert.All(new[] { me, created, missing, badInput }, r =>
        {
            Assert.Matches("^\"tenant\";r=[0-9]+;t=[0-9]+$", Header(r, "RateLimit"));
            Assert.Equal("\"tenant\";q=600;w=60", Header(r, "RateLimit-Policy"));
        });
    }

    [Fact]
    public async Task chat_calls_count_against_the_users_limit_inside_the_tenants()
    {
        var tenant = await api.Database.CreateTenantAsync();
        await api.Server.LimitAsync(tenant, requestsPerMinute: 600, userRequestsPerMinute: 6, burstSeconds: 10);
        using var alice = api.Server.Client(TestKeys.Token(tenant.Id, "alice"));
        using var bob = api.Server.Client(TestKeys.Token(tenant.Id, "bob"));
        var alices = await alice.CreateConversationAsync("a");
        var bobs = await bob.CreateConversationAsync("b");

        using var first = await alice.PostMessageAsync(alices);
        using var second = await alice.PostMessageAsync(alices);
        var bobsFirst = await bob.PostMessageAsync(bobs).StatusOfAsync();
        var alicesList = await alice.GetAsync("/api/conversations").StatusOfAsync();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("\"tenant\";q=100;w=10, \"user\";q=1;w=10", Header(first, "RateLimit-Policy"));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("user", (await second.ReadJsonAsync())["policy"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, bobsFirst);
        Assert.Equal(HttpStatusCode.OK, alicesList);
    }

    [Fact]
    public async Task the_same_sub_in_two_tenants_has_two_user_limits()
    {
        var a = await api.Database.CreateTenantAsync();
        var b = await api.Database.CreateTenantAsync();
        await api.Server.LimitAsync(a, userRequestsPerMinute: 6, burstSeconds: 10);
        await api.Server.LimitAsync(b, userRequestsPerMinute: 6, burstSeconds: 10);
        using var inA = api.Server.Client(TestKeys.Token(a.Id, "user123"));
        using var inB = api.Server.Client(TestKeys.Token(b.Id, "user123"));
        var conversationA = await inA.CreateConversationAsync("a");
        var conversationB = await inB.CreateConversationAsync("b");

        Assert.Equal(HttpStatusCode.Created, await inA.PostMessageAsync(conversationA).StatusOfAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, await inA.PostMessageAsync(conversationA).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Created, await inB.PostMessageAsync(conversationB).StatusOfAsync());
    }

    [Fact]
    public async Task an_override_applies_to_the_next_request_without_a_restart()
    {
        var tenant = await api.Database.CreateTenantAsync();
        using var client = api.Server.Client(TestKeys.Token(tenant.Id, "carol"));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await client.GetAsync("/api/me").StatusOfAsync());
        }

        await api.Server.LimitAsync(tenant, requestsPerMinute: 6, burstSeconds: 10);
        var limited = await client.GetAsync("/api/me").StatusOfAsync();
        using var platform = api.Server.Client(TestKeys.PlatformToken());
        Assert.Equal(HttpStatusCode.NoContent, await platform.DeleteAsync($"/api/admin/tenants/{tenant.Id}/limits").StatusOfAsync());
        var planAgain = await client.GetAsync("/api/me").StatusOfAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        Assert.Equal(HttpStatusCode.OK, planAgain);
    }

    [Fact]
    public async Task limit_overrides_are_for_the_platform_operator_only()
    {
        var tenant = await api.Database.CreateTenantAsync();
        using var admin = api.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));

        var put = await admin.PutAsync($"/api/admin/tenants/{tenant.Id}/limits", Http.Json(new { requests_per_minute = 100000 })).StatusOfAsync();
        var get = await admin.GetAsync($"/api/admin/tenants/{tenant.Id}/limits").StatusOfAsync();

        Assert.Equal(HttpStatusCode.Forbidden, put);
        Assert.Equal(HttpStatusCode.Forbidden, get);
    }

    [Fact]
    public async Task a_bad_override_is_a_400_and_an_unknown_tenant_a_404_and_neither_writes()
    {
        var tenant = await api.Database.CreateTenantAsync();
        using var platform = api.Server.Client(TestKeys.PlatformToken());

        var negative = await platform.PutAsync($"/api/admin/tenants/{tenant.Id}/limits", Http.Json(new { requests_per_minute = -1 })).StatusOfAsync();
        var unknownField = await platform.PutAsync($"/api/admin/tenants/{tenant.Id}/limits", Http.Json(new { burst = 5 })).StatusOfAsync();
        var noBurst = await platform.PutAsync($"/api/admin/tenants/{tenant.Id}/limits", Http.Json(new { burst_seconds = 0 })).StatusOfAsync();
        var longBurst = await platform.PutAsync($"/api/admin/tenants/{tenant.Id}/limits", Http.Json(new { burst_seconds = 3601 })).StatusOfAsync();
        var unknownTenant = await platform.PutAsync($"/api/admin/tenants/{Guid.CreateVersion7()}/limits", Http.Json(new { requests_per_minute = 5 })).StatusOfAsync();
        var notAnId = await platform.GetAsync("/api/admin/tenants/acme/limits").StatusOfAsync();
        using var after = await platform.GetAsync($"/api/admin/tenants/{tenant.Id}/limits");
        var body = await after.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, negative);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField);
        Assert.Equal(HttpStatusCode.BadRequest, noBurst);
        Assert.Equal(HttpStatusCode.BadRequest, longBurst);
        Assert.Equal(HttpStatusCode.NotFound, unknownTenant);
        Assert.Equal(HttpStatusCode.NotFound, notAnId);
        Assert.Null(body["overrides"]!["requests_per_minute"]);
        Assert.Equal(100, body["effective"]!["requests_per_minute"]!.GetValue<int>());
        Assert.Null(body["overrides"]!["burst_seconds"]);
        Assert.Equal(60, body["effective"]!["burst_seconds"]!.GetValue<int>());
        Assert.Equal("basic", body["plan"]!.GetValue<string>());
    }

    [Fact]
    public async Task usage_shows_this_months_reconciled_tokens_to_the_tenant_admin_only()
    {
        var tenant = await api.Database.CreateTenantAsync();
        var quota = api.Server.Services.GetRequiredService<ITokenQuota>();
        var reservation = await quota.ReserveAsync(tenant.Scope, "alice", "offline", 500, default);
        await quota.ReconcileAsync(reservation, 120, default);
        await quota.ReserveAsync(tenant.Scope, "alice", "offline", 40, default);
        using var admin = api.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        using var member = api.Server.Client(TestKeys.Token(tenant.Id, "alice"));

        using var response = await admin.GetAsync("/api/tenant/usage");
        var usage = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(120, usage["used_tokens"]!.GetValue<long>());
        Assert.Equal(40, usage["reserved_tokens"]!.GetValue<long>());
        Assert.Equal(1_000_000, usage["monthly_tokens"]!.GetValue<long>());
        Assert.Equal(1_000_000 - 160, usage["remaining_tokens"]!.GetValue<long>());
        Assert.Equal("offline", usage["by_model"]![0]!["model"]!.GetValue<string>());
        Assert.Equal(2, usage["limits"]!["max_concurrent_llm_calls"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Forbidden, await member.GetAsync("/api/tenant/usage").StatusOfAsync());
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : throw new Xunit.Sdk.XunitException($"no {name} header");
}
