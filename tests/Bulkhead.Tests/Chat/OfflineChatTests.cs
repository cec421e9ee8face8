using System.Net;

namespace Bulkhead.Tests.Chat;

/// <summary>The built-in offline model through the REST API: replies, streaming, storage and usage.</summary>
public sealed class OfflineChatTests(ChatFixture chat) : IClassFixture<ChatFixture>
{
    [Fact]
    public async Task a_message_stores_the_user_message_and_the_reply_with_real_token_usage()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var user = chat.Server.Client(TestKeys.Token(tenant.Id, "uma"));
        var conversation = await user.CreateConversationAsync("Offline");

        var turn = await user.PostMessageAsync(conversation, "Hello there, offline model!");

        var reply = turn["reply"]!;
        Assert.Equal("assistant", reply["role"]!.GetValue<string>());
        Assert.Equal("complete", reply["status"]!.GetValue<string>());
        Assert.Equal("offline", reply["model"]!.GetValue<string>());
        Assert.Contains("Hello there, offline model!", reply["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("You are a helpful assistant.", reply["content"]!.GetValue<string>(), StringComparison.Ordinal);
        var o200k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base");
        Assert.Equal(
            o200k.CountTokens("You are a helpful assistant.") + o200k.CountTokens("Hello there, offline model!"),
            turn["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.True(turn["usage"]!["completion_tokens"]!.GetValue<int>() > 10);
        var stored = await chat.Server.StoredMessagesAsync(tenant, conversation);
        Assert.Equal([("user", "complete"), ("assistant", "complete")], stored.Select(m => (m.Role, m.Status)).ToArray());
        var usage = Assert.Single(await chat.Server.UsageAsync(tenant));
        Assert.Equal(("uma", "offline", 1L), (usage.Sub, usage.Model, usage.Calls));
    }

    [Fact]
    public async Task max_tokens_cuts_the_offline_reply_to_that_many_tokens()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        await admin.PutConfigAsync(new { max_tokens = 5 });

        var answer = await (await admin.PostAsync("/api/chat", Http.Json(new { query = "Tell me everything." }))).ReadJsonAsync();

        Assert.Equal(5, answer["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task api_chat_creates_a_conversation_and_answers_in_the_seed_shape()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var user = chat.Server.Client(TestKeys.Token(tenant.Id, "uma"));

        var first = await (await user.PostAsync("/api/chat", Http.Json(new { query = "First question" }))).ReadJsonAsync();
        var conversation = first["conversation_id"]!.GetValue<Guid>();
        var second = await (await user.PostAsync("/api/chat", Http.Json(new { query = "Second question", conversation_id = conversation }))).ReadJsonAsync();

        Assert.Equal(conversation, second["conversation_id"]!.GetValue<Guid>());
        Assert.Contains("2 earlier messages", second["answer"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual(first["message_id"]!.GetValue<Guid>(), second["message_id"]!.GetValue<Guid>());
        Assert.True(second["usage"]!["total_tokens"]!.GetValue<int>() > 0);
        Assert.Equal(4, (await chat.Server.StoredMessagesAsync(tenant, conversation)).Count);
        Assert.Single(await user.ListAllAsync("/api/conversations", 10));
    }

    [Fact]
    public async Task a_streamed_reply_arrives_word_by_word_and_ends_with_a_usage_event()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var user = chat.Server.Client(TestKeys.Token(tenant.Id, "uma"));
        var conversation = await user.CreateConversationAsync("Stream");

        using var response = await user.SendAsync(
            ChatHttp.StreamRequest($"/api/conversations/{conversation}/messages", new { content = "Stream this please" }),
            HttpCompletionOption.ResponseHeadersRead);
        var events = await response.ReadEventsAsync();

        var deltas = events.Where(e => e.EventType == "delta").Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.Data)!["content"]!.GetValue<string>()).ToList();
        Assert.True(deltas.Count > 10);
        var end = System.Text.Json.Nodes.JsonNode.Parse(events[^1].Data)!;
        Assert.Equal("usage", events[^1].EventType);
        Assert.Equal("complete", end["status"]!.GetValue<string>());
        var stored = await chat.Server.StoredMessagesAsync(tenant, conversation);
        Assert.Equal(string.Concat(deltas), stored[^1].Content);
        Assert.Equal(end["usage"]!["completion_tokens"]!.GetValue<int>(), (int)(await chat.Server.UsageAsync(tenant))[0].CompletionTokens);
    }

    [Fact]
    public async Task another_tenants_conversation_gets_the_same_404_from_api_chat_and_nothing_is_stored()
    {
        var a = await chat.Database.CreateTenantAsync();
        var b = await chat.Database.CreateTenantAsync();
        using var asA = chat.Server.Client(TestKeys.Token(a.Id, "same"));
        using var asB = chat.Server.Client(TestKeys.Token(b.Id, "same"));
        var foreign = await asA.CreateConversationAsync("A's");

        var probe = await asB.PostAsync("/api/chat", Http.Json(new { query = "hi", conversation_id = foreign }));
        var control = await asB.PostAsync("/api/chat", Http.Json(new { query = "hi", conversation_id = Guid.CreateVersion7() }));
        var streamed = await asB.SendAsync(ChatHttp.StreamRequest($"/api/conversations/{foreign}/messages", new { content = "hi" }));

        Assert.Equal(HttpStatusCode.NotFound, probe.StatusCode);
        Assert.Equal(await control.Content.ReadAsStringAsync().ContinueWith(t => Shape(t.Result)), Shape(await probe.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.NotFound, streamed.StatusCode);
        Assert.Empty(await chat.Server.StoredMessagesAsync(a, foreign));
        Assert.Empty(await chat.Server.UsageAsync(b));
    }

    [Fact]
    public async Task a_body_that_names_a_tenant_or_user_is_rejected()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var user = chat.Server.Client(TestKeys.Token(tenant.Id, "uma"));

        var response = await user.PostAsync("/api/chat", Http.Json(new { query = "hi", tenant_id = Guid.NewGuid(), user_id = "x" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await chat.Server.UsageAsync(tenant));
    }

    [Fact]
    public async Task a_tenant_over_its_token_quota_gets_429_plain_and_streaming_and_nothing_is_stored()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        await using (var command = chat.Database.Owner.CreateCommand("insert into control.tenant_limits (tenant_id, monthly_tokens) values ($1, 1)"))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
            await command.ExecuteNonQueryAsync();
        }

        using var user = chat.Server.Client(TestKeys.Token(tenant.Id, "uma"));
        var conversation = await user.CreateConversationAsync("over quota");

        var plain = await user.PostAsync($"/api/conversations/{conversation}/messages", Http.Json(new { content = "hi" }));
        var streamed = await user.SendAsync(ChatHttp.StreamRequest("/api/chat", new { query = "hi" }));

        Assert.Equal(HttpStatusCode.TooManyRequests, plain.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, streamed.StatusCode);
        Assert.Equal("application/problem+json", streamed.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await chat.Server.StoredMessagesAsync(tenant, conversation));
        Assert.Empty(await chat.Server.UsageAsync(tenant));
    }

    private static string Shape(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        return string.Join(",", node.Where(p => p.Key != "trace_id").Select(p => p.Key + "=" + p.Value?.ToJsonString()).Order(StringComparer.Ordinal));
    }
}
