using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Chat;

/// <summary>The same chat code for every tier: configuration, a plain and a streamed turn, and the door, per placement.</summary>
public sealed class ChatTiersTests(ChatFixture chat) : IClassFixture<ChatFixture>
{
    [Theory]
    [InlineData(Tier.Pooled)]
    [InlineData(Tier.Schema)]
    [InlineData(Tier.Database)]
    public async Task a_tenant_in_each_tier_configures_chats_streams_and_uses_the_door(Tier tier)
    {
        var tenant = await chat.Database.CreateTenantAsync(tier);
        var neighbour = await chat.Database.CreateTenantAsync(tier);
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        await admin.PutConfigAsync(new { system_prompt = $"The {tier} tier prompt.", temperature = 0.4 });
        await chat.Server.Client(TestKeys.Token(neighbour.Id, "ada", "admin")).PutConfigAsync(new { system_prompt = "The neighbour's prompt." });
        using var user = chat.Second.Client(TestKeys.Token(tenant.Id, "123"));
        var conversation = await user.CreateConversationAsync("tiers");

        var plain = await user.PostMessageAsync(conversation, "plain");
        using var streamed = await user.SendAsync(ChatHttp.StreamRequest($"/api/conversations/{conversation}/messages", new { content = "streamed" }), HttpCompletionOption.ResponseHeadersRead);
        var events = await streamed.ReadEventsAsync();
        var key = (await (await admin.PostAsync("/api/tenant/api-keys", Http.Json(new { name = "tier" }))).ReadJsonAsync())["key"]!.GetValue<string>();
        using var door = chat.Second.Client();
        door.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var completion = await door.PostAsync("/v1/chat/completions", Http.Json(new { model = "offline", messages = new[] { new { role = "user", content = "door" } } }));

        Assert.Contains($"The {tier} tier prompt.", plain["reply"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("temperature 0.4", plain["reply"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("usage", events[^1].EventType);
        Assert.Contains("2 earlier messages", string.Concat(events.Where(e => e.EventType == "delta").Select(e => JsonNode.Parse(e.Data)!["content"]!.GetValue<string>())), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        Assert.Contains($"The {tier} tier prompt.", await completion.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(4, (await chat.Server.StoredMessagesAsync(tenant, conversation)).Count);
        Assert.Equal(3, (await chat.Server.UsageAsync(tenant)).Sum(u => u.Calls));
        Assert.Empty(await chat.Server.UsageAsync(neighbour));
    }
}
