using System.Net;
using Bulkhead.Tests.Chat;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>A reply stopped in the browser while it streams, and the notice a limit's 429 brings.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleChatLimitTests(ConsoleFixture console)
{
    [Fact]
    public async Task stop_ends_the_stream_and_the_partial_reply_is_kept_as_incomplete()
    {
        var tenant = await console.Database.CreateTenantAsync("stop-" + Guid.NewGuid().ToString("N")[..6]);
        var prompt = "stop test " + Guid.NewGuid();
        // The fake model writes one word and then waits for as long as the caller stays.
        await console.Server.Client(TestKeys.Token(tenant.Id, "boss", "admin")).PutConfigAsync(new { model = "fake-slow", system_prompt = prompt });
        var id = await ConsolePages.ConversationAsync(console.Server, tenant.Id, "stopper", "to be stopped");
        await console.InContextAsync(nameof(stop_ends_the_stream_and_the_partial_reply_is_kept_as_incomplete), async page =>
        {
            await ConsolePages.SignInAsync(page, tenant.Slug, "stopper");
            await page.GotoAsync($"/console/conversations/{id}");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("then stop");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            var reply = page.Locator("#transcript .message.assistant").Last;
            await Assertions.Expect(reply).ToContainTextAsync("fake");
            await Assertions.Expect(reply).ToHaveAttributeAsync("aria-busy", "true");

            await page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
            await Assertions.Expect(page.Locator("#chat-notice")).ToContainTextAsync("Stopped. What the model wrote so far is kept.");
            await Assertions.Expect(reply).Not.ToHaveAttributeAsync("aria-busy", "true");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToBeHiddenAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send" })).ToBeEnabledAsync();

            // As the API documents: the upstream call is cancelled and what was written is stored, marked incomplete.
            List<(string Role, string Status, string Content)> stored = [];
            await Eventually.UntilAsync(async () =>
            {
                stored = await console.Server.StoredMessagesAsync(tenant, id);
                return stored.Count == 2 && console.Model.RequestsWithSystemPrompt(prompt).Single().Aborted;
            }, TimeSpan.FromSeconds(30), "the stopped turn is stored and the upstream call cancelled");
            Assert.Equal([("user", "complete", "then stop"), ("assistant", "incomplete", "fake ")], stored.ToArray());
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#transcript .message.assistant").Last).ToContainTextAsync("fake");
        });
    }

    [Fact]
    public async Task a_quota_that_answers_429_shows_a_notice_and_no_reply()
    {
        var tenant = await console.Database.CreateTenantAsync("quota-" + Guid.NewGuid().ToString("N")[..6]);
        using var platform = console.Server.Client(TestKeys.PlatformToken());
        var set = await platform.PutAsync($"/api/admin/tenants/{tenant.Id}/limits", Http.Json(new { monthly_tokens = 5 }));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var id = await ConsolePages.ConversationAsync(console.Server, tenant.Id, "spender", "over quota");
        await console.InContextAsync(nameof(a_quota_that_answers_429_shows_a_notice_and_no_reply), async page =>
        {
            await ConsolePages.SignInAsync(page, tenant.Slug, "spender");
            await page.GotoAsync($"/console/conversations/{id}");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("one more, please");
            var response = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync(), r => r.Url.Contains("/console/chat/", StringComparison.Ordinal));
            Assert.Equal(429, response.Status);
            var notice = page.Locator("#chat-notice");
            await Assertions.Expect(notice).ToContainTextAsync("Limit reached:");
            await Assertions.Expect(notice).ToContainTextAsync("Try again in");
            await Assertions.Expect(page.Locator("#transcript .message.assistant")).ToHaveCountAsync(0);
        });
    }
}
