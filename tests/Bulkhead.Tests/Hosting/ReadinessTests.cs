using System.Net;
using System.Text.Json.Nodes;

namespace Bulkhead.Tests.Hosting;

/// <summary>/readyz as a load balancer sees it, with the node's database really going away and coming back.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReadinessTests
{
    [Fact]
    public async Task readyz_answers_a_503_problem_while_postgres_cannot_be_reached_and_200_once_it_can_again()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var bouncer = await TestPgBouncer.StartAsync(poolSize: 4);
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Bulkhead:DatabaseConnection"] = bouncer.AppConnection(database.Name),
        });
        using var client = server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        // The node's only way to its database (here the pooler's port) is closed: connections are refused.
        await bouncer.StopAsync();
        using var down = await client.GetAsync("/readyz");
        var problem = await down.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("unreachable", false, 503), (problem["postgres"]!.GetValue<string>(), problem["draining"]!.GetValue<bool>(), problem["status"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        await bouncer.StartAgainAsync();
        await Eventually.UntilAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/readyz answers 200 again");
        var ready = await (await client.GetAsync("/readyz")).ReadJsonAsync();
        Assert.Equal(("ready", "ok"), (ready["status"]!.GetValue<string>(), ready["postgres"]!.GetValue<string>()));
    }
}
