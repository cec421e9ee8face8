using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Bulkhead.Chat;

namespace Bulkhead.Tests.Chat;

/// <summary>The OpenAI-compatible door: tenant API keys, the official openai client, and where a key cannot reach.</summary>
public sealed class OpenAIDoorTests(ChatFixture chat) : IClassFixture<ChatFixture>
{
    [Fact]
    public async Task the_official_openai_client_chats_plain_and_streaming_with_a_tenant_key()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        await admin.PutConfigAsync(new { system_prompt = "Door prompt of this tenant.", max_tokens = 400 });
        var key = await CreateKeyAsync(admin, "node client");

        var result = await OpenAINodeClient.RunAsync("chat.mjs", chat.Server.Address + "v1", key);

        Assert.Contains("offline", result["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        var plain = result["plain"]!;
        Assert.Contains("Hello from the openai client", plain["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Door prompt of this tenant.", plain["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("temperature 0.3, max_tokens 400", plain["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("stop", plain["finish"]!.GetValue<string>());
        Assert.True(plain["usage"]!["total_tokens"]!.GetValue<int>() > 0);
        var deltas = result["stream"]!["deltas"]!.AsArray().Select(d => d!.GetValue<string>()).ToList();
        Assert.True(deltas.Count > 10);
        Assert.Contains("Stream to the openai client", string.Concat(deltas), StringComparison.Ordinal);
        Assert.Equal(
            result["stream"]!["usage"]!["completion_tokens"]!.GetValue<int>(),
            (int)(await chat.Server.UsageAsync(tenant)).Sum(u => u.CompletionTokens) - plain["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(400, result["badModel"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_revoked_key_gets_401_at_once()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        var key = await CreateKeyAsync(admin, "short-lived");
        var id = (await (await admin.GetAsync("/api/tenant/api-keys")).ReadJsonAsync())["items"]![0]!["id"]!.GetValue<Guid>();
        using var door = Door(chat.Second, key);
        Assert.Equal(HttpStatusCode.OK, (await door.GetAsync("/v1/models")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/tenant/api-keys/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await door.GetAsync("/v1/models")).StatusCode);
        var viaClient = await OpenAINodeClient.RunAsync("check-revoked.mjs", chat.Second.Address + "v1", key);
        Assert.Equal(401, viaClient["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_key_of_tenant_a_never_reaches_tenant_bs_conversations_or_configuration()
    {
        var a = await chat.Database.CreateTenantAsync();
        var b = await chat.Database.CreateTenantAsync();
        using var adminA = chat.Server.Client(TestKeys.Token(a.Id, "ada", "admin"));
        using var adminB = chat.Server.Client(TestKeys.Token(b.Id, "ada", "admin"));
        await adminA.PutConfigAsync(new { system_prompt = "Tenant A speaking." });
        await adminB.PutConfigAsync(new { system_prompt = "Tenant B secret prompt." });
        var conversationB = await adminB.CreateConversationAsync("B's conversation");
        var keyA = await CreateKeyAsync(adminA, "a");
        using var door = Door(chat.Server, keyA);

        Assert.Equal(HttpStatusCode.Forbidden, (await door.GetAsync("/api/tenant/config")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await door.GetAsync("/api/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await door.GetAsync($"/api/conversations/{conversationB}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await door.PostAsync("/api/tenant/api-keys", Http.Json(new { name = "more" }))).StatusCode);
        door.DefaultRequestHeaders.Add("X-Tenant-ID", b.Id.ToString());
        var answer = await (await door.PostAsync("/v1/chat/completions", Http.Json(new
        {
            model = "offline",
            messages = new[] { new { role = "user", content = "whose prompt?" } },
            user = b.Id.ToString(),
            tenant_id = b.Id,
        }))).ReadJsonAsync();
        var content = answer["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        Assert.Contains("Tenant A speaking.", content, StringComparison.Ordinal);
        Assert.DoesNotContain("Tenant B", content, StringComparison.Ordinal);

        // A key that names B but carries A's secret proves nothing.
        var signing = chat.Server.Services.GetRequiredService<ApiKeySigning>();
        Assert.Equal(ApiKeyForm.Tagged, TenantApiKey.Parse(keyA, signing.Key, out _, out var keyId));
        var forged = TenantApiKey.Create(b.Id, keyId, signing.Key);
        using var forgedDoor = Door(chat.Server, forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forgedDoor.GetAsync("/v1/models")).StatusCode);
        Assert.Empty(await chat.Server.UsageAsync(b));
    }

    [Fact]
    public async Task members_cannot_manage_keys_and_a_key_is_shown_only_once()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var member = chat.Server.Client(TestKeys.Token(tenant.Id, "mia"));
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));

        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsync("/api/tenant/api-keys", Http.Json(new { name = "mine" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/tenant/api-keys")).StatusCode);
        var key = await CreateKeyAsync(admin, "listed");
        var listed = await (await admin.GetAsync("/api/tenant/api-keys")).Content.ReadAsStringAsync();

        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        Assert.Contains(key[^4..], listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/tenant/api-keys/{Guid.CreateVersion7()}")).StatusCode);
    }

    [Fact]
    public async Task the_door_streams_chunks_and_done_for_a_raw_http_client()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        using var door = Door(chat.Server, await CreateKeyAsync(admin, "raw"));

        using var response = await door.SendAsync(
            ChatHttp.StreamRequest("/v1/chat/completions", new { model = "offline", stream = true, messages = new[] { new { role = "user", content = "raw" } } }),
            HttpCompletionOption.ResponseHeadersRead);
        var events = await response.ReadEventsAsync();

        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Equal("stop", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    private static HttpClient Door(RunningServer server, string key)
    {
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, string name)
    {
        var response = await admin.PostAsync("/api/tenant/api-keys", Http.Json(new { name }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync())["key"]!.GetValue<string>();
    }
}
