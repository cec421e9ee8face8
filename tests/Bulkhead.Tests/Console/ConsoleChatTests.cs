using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>Chat in the browser: the reply arrives as a stream through the API.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleChatTests(ConsoleFixture console)
{
    [Fact]
    public async Task a_chat_reply_streams_in_with_its_token_use()
    {
        var id = await ConsolePages.ConversationAsync(console.Server, console.Acme.Id, "streamer", "streaming " + Guid.NewGuid().ToString("N")[..6]);
        await console.InContextAsync(nameof(a_chat_reply_streams_in_with_its_token_use), async page =>
        {
            await ConsolePages.SignInAsync(page, "acme", "streamer");
            await page.GotoAsync($"/console/conversations/{id}");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("hello from the browser");
            var response = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync(), r => r.Url.Contains("/console/chat/", StringComparison.Ordinal));
            Assert.StartsWith("text/event-stream", await response.HeaderValueAsync("content-type"), StringComparison.Ordinal);

            var reply = page.Locator("#transcript .message.assistant").Last;
            await Assertions.Expect(reply).ToContainTextAsync("You said: \"hello from the browser\"");
            await Assertions.Expect(reply.Locator(".usage")).ToContainTextAsync("completion");
            // The page assembled the reply from the stream's delta events (the offline model writes word by word).
            var deltas = int.Parse(await reply.GetAttributeAsync("data-deltas") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(deltas > 5, $"the reply came in {deltas} delta events, not as a stream");

            // Stored by the API: a reload shows the same turn.
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#transcript .message.assistant").Last).ToContainTextAsync("hello from the browser");
        });
    }
}
