using System.Diagnostics;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using Bulkhead.Tests.Chat;

namespace Bulkhead.Tests.Hosting;

/// <summary>
/// SIGTERM to a real node process with a chat reply streaming: <c>/readyz</c> fails at once, requests are
/// still served during the drain delay and refused after it, the stream finishes whole, and the process
/// exits 0 within the grace period.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeShutdownTests
{
    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task on_sigterm_a_node_fails_readiness_at_once_refuses_after_the_drain_delay_finishes_its_stream_and_exits_0()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var model = await FakeOpenAIServer.StartAsync();
        var home = Directory.CreateTempSubdirectory("bulkhead-node-");
        try
        {
            var settings = NodeSettings.For(database, database.AppConnection, home.FullName);
            settings["Bulkhead__Limits__Enabled"] = "false";
            settings["Bulkhead__Shutdown__DrainDelay"] = DrainDelay.ToString();
            settings["Bulkhead__Shutdown__GracePeriod"] = GracePeriod.ToString();
            settings["Bulkhead__Chat__OpenAI__BaseUrl"] = model.BaseUrl;
            settings["Bulkhead__Chat__OpenAI__ApiKey"] = "server-key";
            settings["Bulkhead__Chat__OpenAI__Models__0"] = "fake-held";
            await using var node = await NodeProcess.StartAsync(settings);

            var tenant = await database.CreateTenantAsync();
            using (var admin = node.Client(TestKeys.Token(tenant.Id, "admin", "admin")))
            {
                await admin.PutConfigAsync(new { model = "fake-held" });
            }

            using var user = node.Client(TestKeys.Token(tenant.Id, "uma"), Timeout.InfiniteTimeSpan);
            var conversation = await user.CreateConversationAsync("held");
            using var response = await user.SendAsync(ChatHttp.StreamRequest($"/api/conversations/{conversation}/messages", new { content = "drain me" }), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            await using var events = SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();
            Assert.True(await events.MoveNextAsync());
            var received = new List<SseItem<string>> { events.Current };
            Assert.Equal("delta", events.Current.EventType);

            var clock = Stopwatch.StartNew();
            await node.TerminateAsync();
            using var probe = node.Client();
            await Eventually.UntilAsync(async () => (await probe.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, GracePeriod, "/readyz fails");
            var notReady = clock.Elapsed;
            Assert.True(notReady < DrainDelay, $"/readyz failed only {notReady.TotalSeconds:0.0} s after SIGTERM, not at once");

            // Served until the drain delay is over, refused after it.
            var servedWhileDraining = 0;
            while (true)
            {
                using var me = await user.GetAsync("/api/me");
                if (me.StatusCode == HttpStatusCode.OK)
                {
                    servedWhileDraining++;
                    continue;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, me.StatusCode);
                Assert.Equal("application/problem+json", me.Content.Headers.ContentType?.MediaType);
                Assert.Equal("1", me.Headers.RetryAfter?.ToString());
                break;
            }

            var refused = clock.Elapsed;
            Assert.True(refused >= DrainDelay, $"refused {refused.TotalSeconds:0.0} s after SIGTERM, before the drain delay of {DrainDelay.TotalSeconds} s was over");
            Assert.True(servedWhileDraining > 0, "no request was served while /readyz failed and the drain delay ran");
            Assert.False(node.HasExited, "the node exited with a stream in flight");

            model.Release();
            while (await events.MoveNextAsync())
            {
                received.Add(events.Current);
            }

            Assert.Equal("fake reply to: drain me", string.Concat(received.Where(e => e.EventType == "delta").Select(e => JsonNode.Parse(e.Data)!["content"]!.GetValue<string>())));
            Assert.Equal(("usage", "complete"), (received[^1].EventType, JsonNode.Parse(received[^1].Data)!["status"]!.GetValue<string>()));
            Assert.Equal(0, await node.WaitForExitAsync(GracePeriod));
            Assert.True(clock.Elapsed < GracePeriod, $"exited {clock.Elapsed.TotalSeconds:0.0} s after SIGTERM, beyond the grace period");
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}
