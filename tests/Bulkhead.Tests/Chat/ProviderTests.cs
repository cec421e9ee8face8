using System.Net;
using System.Text.Json.Nodes;

namespace Bulkhead.Tests.Chat;

/// <summary>
/// Chat through an OpenAI-compatible provider (the fake server, over real HTTP and SSE): what each tenant's
/// calls carry, what is stored, and how timeouts, errors, broken streams and departing clients end.
/// </summary>
public sealed class ProviderTests(ChatFixture chat) : IClassFixture<ChatFixture>
{
    [Fact]
    public async Task each_tenants_calls_carry_its_own_model_temperature_max_tokens_and_system_prompt_and_nothing_of_the_others()
    {
        var a = await chat.Database.CreateTenantAsync();
        var b = await chat.Database.CreateTenantAsync(plan: "premium");
        var promptA = $"A's prompt {Guid.NewGuid()}";
        var promptB = $"B's prompt {Guid.NewGuid()}";
        await chat.Server.Client(TestKeys.Token(a.Id, "admin", "admin")).PutConfigAsync(new { model = "fake-ok", temperature = 0.25, max_tokens = 111, system_prompt = promptA });
        await chat.Server.Client(TestKeys.Token(b.Id, "admin", "admin")).PutConfigAsync(new { model = "fake-ok", temperature = 1.75, max_tokens = 2222, system_prompt = promptB });
        using var asA = chat.Server.Client(TestKeys.Token(a.Id, "123"));
        using var asB = chat.Server.Client(TestKeys.Token(b.Id, "123"));

        var answerA = await asA.PostMessageAsync(await asA.CreateConversationAsync("a"), "secret of A");
        await asB.PostMessageAsync(await asB.CreateConversationAsync("b"), "secret of B");

        Assert.Equal("fake reply to: secret of A", answerA["reply"]!["content"]!.GetValue<string>());
        var sentA = Assert.Single(chat.Model.RequestsWithSystemPrompt(promptA));
        var sentB = Assert.Single(chat.Model.RequestsWithSystemPrompt(promptB));
        Assert.Equal(("fake-ok", 0.25, 111), (sentA.Model, Math.Round(sentA.Temperature!.Value, 3), sentA.MaxTokens!.Value));
        Assert.Equal(("fake-ok", 1.75, 2222), (sentB.Model, Math.Round(sentB.Temperature!.Value, 3), sentB.MaxTokens!.Value));
        Assert.DoesNotContain(promptB, sentA.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret of B", sentA.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(promptA, sentB.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret of A", sentB.ToString(), StringComparison.Ordinal);
        Assert.Equal("Bearer server-key", sentA.Authorization);
    }

    [Fact]
    public async Task the_history_holds_only_this_conversations_messages_and_usage_is_recorded_per_user_and_model()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        var prompt = $"History {Guid.NewGuid()}";
        await chat.Server.Client(TestKeys.Token(tenant.Id, "admin", "admin")).PutConfigAsync(new { model = "fake-ok", system_prompt = prompt });
        using var uma = chat.Server.Client(TestKeys.Token(tenant.Id, "uma"));
        using var ola = chat.Server.Client(TestKeys.Token(tenant.Id, "ola"));
        var one = await uma.CreateConversationAsync("one");
        var two = await uma.CreateConversationAsync("two");
        var olas = await ola.CreateConversationAsync("ola's");
        await uma.PostMessageAsync(one, "one-first");
        await uma.PostMessageAsync(two, "two-first");
        await ola.PostMessageAsync(olas, "ola-first");

        await uma.PostMessageAsync(one, "one-second");

        var last = chat.Model.RequestsWithSystemPrompt(prompt)[^1];
        Assert.Equal(
            [("system", prompt), ("user", "one-first"), ("assistant", "fake reply to: one-first"), ("user", "one-second")],
            last.Messages.ToArray());
        var usage = await chat.Server.UsageAsync(tenant);
        Assert.Equal([("ola", "fake-ok", 1L, 11L, 7L), ("uma", "fake-ok", 3L, 33L, 21L)],
            usage.Select(u => (u.Sub, u.Model, u.Calls, u.PromptTokens, u.CompletionTokens)).ToArray());
    }

    [Fact]
    public async Task a_provider_stream_is_relayed_as_deltas_and_stored_complete()
    {
        var (tenant, user, conversation, _) = await TenantWithModelAsync("fake-ok");

        using var response = await user.SendAsync(ChatHttp.StreamRequest($"/api/conversations/{conversation}/messages", new { content = "stream me" }), HttpCompletionOption.ResponseHeadersRead);
        var events = await response.ReadEventsAsync();

        Assert.Equal(["fake ", "reply ", "to: ", "stream me"], events.Where(e => e.EventType == "delta").Select(e => JsonNode.Parse(e.Data)!["content"]!.GetValue<string>()).ToArray());
        var end = JsonNode.Parse(events[^1].Data)!;
        Assert.Equal(("usage", "complete", 18), (events[^1].EventType, end["status"]!.GetValue<string>(), end["usage"]!["total_tokens"]!.GetValue<int>()));
        Assert.Equal(("assistant", "complete", "fake reply to: stream me"), (await chat.Server.StoredMessagesAsync(tenant, conversation))[^1]);
    }

    [Fact]
    public async Task a_client_that_disconnects_mid_stream_cancels_the_upstream_call_and_the_partial_reply_is_stored_incomplete()
    {
        var (tenant, user, conversation, prompt) = await TenantWithModelAsync("fake-slow");

        var response = await user.SendAsync(ChatHttp.StreamRequest($"/api/conversations/{conversation}/messages", new { content = "then leave" }), HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var first = await System.Net.ServerSentEvents.SseParser.Create(stream).EnumerateAsync().FirstAsync();
        Assert.Equal("delta", first.EventType);
        response.Dispose();
        user.Dispose();

        var stored = await EventuallyAsync(async () =>
        {
            var messages = await chat.Server.StoredMessagesAsync(tenant, conversation);
            return messages.Count == 2 && chat.Model.RequestsWithSystemPrompt(prompt).Single().Aborted ? messages : null;
        });
        Assert.Equal([("user", "complete", "then leave"), ("assistant", "incomplete", "fake ")], stored.ToArray());
        Assert.False(Assert.Single(await chat.Server.UsageAsync(tenant)).CompletionTokens < 1);
    }

    [Theory]
    [InlineData("fake-500", HttpStatusCode.BadGateway, false)]
    [InlineData("fake-500", HttpStatusCode.BadGateway, true)]
    [InlineData("fake-hang", HttpStatusCode.GatewayTimeout, false)]
    [InlineData("fake-hang", HttpStatusCode.GatewayTimeout, true)]
    public async Task a_failing_provider_gives_a_problem_and_nothing_is_stored(string model, HttpStatusCode expected, bool stream)
    {
        var (tenant, user, conversation, _) = await TenantWithModelAsync(model);

        var response = stream
            ? await user.SendAsync(ChatHttp.StreamRequest($"/api/conversations/{conversation}/messages", new { content = "hello?" }))
            : await user.PostAsync($"/api/conversations/{conversation}/messages", Http.Json(new { content = "hello?" }));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("the fake failed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await chat.Server.StoredMessagesAsync(tenant, conversation));
        Assert.Empty(await chat.Server.UsageAsync(tenant));
    }

    [Fact]
    public async Task a_malformed_stream_ends_with_an_error_event_and_the_reply_is_stored_incomplete()
    {
        var (tenant, user, conversation, _) = await TenantWithModelAsync("fake-malformed");

        using var response = await user.SendAsync(ChatHttp.StreamRequest($"/api/conversations/{conversation}/messages", new { content = "break" }), HttpCompletionOption.ResponseHeadersRead);
        var events = await response.ReadEventsAsync();

        Assert.Equal(["delta", "error", "usage"], events.Select(e => e.EventType).ToArray());
        Assert.Equal(502, JsonNode.Parse(events[1].Data)!["status"]!.GetValue<int>());
        Assert.Equal("incomplete", JsonNode.Parse(events[2].Data)!["status"]!.GetValue<string>());
        Assert.Equal(("assistant", "incomplete", "fake "), (await chat.Server.StoredMessagesAsync(tenant, conversation))[^1]);
    }

    [Fact]
    public async Task a_tenants_own_provider_key_is_what_goes_upstream()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        var prompt = $"Own key {Guid.NewGuid()}";
        await chat.Server.Client(TestKeys.Token(tenant.Id, "admin", "admin")).PutConfigAsync(
            new { model = "fake-ok", system_prompt = prompt, provider_api_key = "sk-tenant-own" });
        using var user = chat.Second.Client(TestKeys.Token(tenant.Id, "uma"));

        await user.PostAsync("/api/chat", Http.Json(new { query = "with my key" }));

        Assert.Equal("Bearer sk-tenant-own", Assert.Single(chat.Model.RequestsWithSystemPrompt(prompt)).Authorization);
    }

    private async Task<(Bulkhead.Tenancy.Tenant Tenant, HttpClient User, Guid Conversation, string Prompt)> TenantWithModelAsync(string model)
    {
        var tenant = await chat.Database.CreateTenantAsync();
        var prompt = $"{model} {Guid.NewGuid()}";
        await chat.Server.Client(TestKeys.Token(tenant.Id, "admin", "admin")).PutConfigAsync(new { model, system_prompt = prompt });
        var user = chat.Server.Client(TestKeys.Token(tenant.Id, "uma"));
        return (tenant, user, await user.CreateConversationAsync(model), prompt);
    }

    // Waits for work the server finishes after the client left; bounded, and it asserts what happened, not how fast.
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The server did not finish the interrupted turn.");
    }
}
