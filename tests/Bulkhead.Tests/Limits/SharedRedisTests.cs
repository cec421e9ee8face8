using System.Diagnostics;
using System.Net;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Limits;

/// <summary>Two API instances deciding in one Redis, hammered by many concurrent clients.</summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public RunningServer[] Servers { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Servers =
        [
            await RunningServer.StartAsync(Database, LimitsServer.Settings(TestRedis.Endpoint, instances: 2)),
            await RunningServer.StartAsync(Database, LimitsServer.Settings(TestRedis.Endpoint, instances: 2)),
        ];
    }

    public async Task DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}

public sealed class SharedRedisTests(TwoInstances api) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task two_instances_admit_no_more_than_the_limit_plus_burst_and_never_reject_another_tenant()
    {
        var flooder = await api.Database.CreateTenantAsync();
        var quiet = await api.Database.CreateTenantAsync();
        // A 10 s burst, so that the flood is mostly refused and the bound below is tight.
        await api.Servers[0].LimitAsync(flooder, requestsPerMinute: 60, burstSeconds: 10);
        await api.Servers[0].LimitAsync(quiet, requestsPerMinute: 600, burstSeconds: 10);
        var clock = Stopwatch.StartNew();

        var flood = Hammer(flooder, clients: 16, requestsEach: 25, _ => "/api/me", chat: false);
        var others = Hammer(quiet, clients: 2, requestsEach: 10, _ => "/api/me", chat: false);
        var (floodStatuses, otherStatuses) = (await flood, await others);
        var elapsed = clock.Elapsed;

        // GCRA at 60/min with a 10 s burst: at most 10 + one per elapsed second, over both instances together.
        var admitted = floodStatuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(admitted, 10, 10 + (int)elapsed.TotalSeconds + 1);
        Assert.All(floodStatuses, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.All(otherStatuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task each_users_chat_limit_holds_inside_the_tenants_limit_across_instances()
    {
        var tenant = await api.Database.CreateTenantAsync();
        await api.Servers[0].LimitAsync(tenant, requestsPerMinute: 60, userRequestsPerMinute: 30, burstSeconds: 10);
        var clock = Stopwatch.StartNew();

        // Chat calls on a conversation that does not exist: admitted ones answer 404, refused ones 429.
        var perUser = await Task.WhenAll(new[] { "alice", "bob", "carol" }.Select(sub =>
            Hammer(tenant, clients: 4, requestsEach: 8, _ => $"/api/conversations/{Guid.CreateVersion7()}/messages", chat: true, sub)));
        var elapsed = clock.Elapsed;

        var admittedPerUser = perUser.Select(statuses => statuses.Count(s => s == HttpStatusCode.NotFound)).ToList();
        // No lower bound per user: the tenant's burst (10) can be spent by two users' bursts (5 each) before
        // the third user's first call arrives, which is the tenant limit doing its job.
        Assert.All(admittedPerUser, n => Assert.InRange(n, 0, 5 + (int)(elapsed.TotalSeconds / 2) + 1));
        Assert.InRange(admittedPerUser.Sum(), 3, 10 + (int)elapsed.TotalSeconds + 1);
        Assert.All(perUser.SelectMany(s => s), s => Assert.Contains(s, new[] { HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests }));
    }

    private async Task<List<HttpStatusCode>> Hammer(Tenant tenant, int clients, int requestsEach, Func<int, string> path, bool chat, string? sub = null)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var statuses = new List<HttpStatusCode>();
            using var client = api.Servers[c % api.Servers.Length].Client(TestKeys.Token(tenant.Id, sub ?? $"client{c}"));
            for (var i = 0; i < requestsEach; i++)
            {
                using var response = chat
                    ? await client.PostAsync(path(i), Http.Json(new { content = "hi" }))
                    : await client.GetAsync(path(i));
                statuses.Add(response.StatusCode);
            }

            return statuses;
        }));
        return results.SelectMany(s => s).ToList();
    }
}
