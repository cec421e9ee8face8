using System.Net;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>A tenant admin's pages: configuration that the next reply uses, keys shown once and revoked.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleAdminTests(ConsoleFixture console)
{
    [Fact]
    public async Task an_admin_changes_the_configuration_and_the_next_reply_uses_it()
    {
        var tenant = await console.Database.CreateTenantAsync("cfg-" + Guid.NewGuid().ToString("N")[..6]);
        var id = await ConsolePages.ConversationAsync(console.Server, tenant.Id, "boss", "configured");
        await console.InContextAsync(nameof(an_admin_changes_the_configuration_and_the_next_reply_uses_it), async page =>
        {
            await ConsolePages.SignInAsync(page, tenant.Slug, "boss", "admin");
            await page.GetByRole(AriaRole.Link, new() { Name = "Configuration" }).ClickAsync();

            // The API's own rule, shown next to the field.
            await page.GetByLabel("Temperature").FillAsync("5");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save configuration" }).ClickAsync();
            await Assertions.Expect(page.Locator("#temperature-error")).ToContainTextAsync("must be a number from 0 to 2");

            await page.GetByLabel("Temperature").FillAsync("0.3");
            await page.GetByLabel("System prompt").FillAsync("Answer as a ship's cook.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save configuration" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved");

            await page.GotoAsync($"/console/conversations/{id}");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("what is for dinner?");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            var reply = page.Locator("#transcript .message.assistant").Last;
            await Assertions.Expect(reply).ToContainTextAsync("temperature 0.3");
            await Assertions.Expect(reply).ToContainTextAsync("Answer as a ship's cook.");
        });
    }

    [Fact]
    public async Task an_api_key_is_shown_once_and_works_until_revoked()
    {
        var tenant = await console.Database.CreateTenantAsync("keys-" + Guid.NewGuid().ToString("N")[..6]);
        await console.InContextAsync(nameof(an_api_key_is_shown_once_and_works_until_revoked), async page =>
        {
            await ConsolePages.SignInAsync(page, tenant.Slug, "boss", "admin");
            await page.GotoAsync("/console/admin/keys");
            await page.GetByLabel("Key name").FillAsync("ci runner");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
            var key = (await page.GetByTestId("new-key").TextContentAsync())!.Trim();
            Assert.StartsWith("bhk_", key, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, await ModelsStatusAsync(key));

            await page.GotoAsync("/console/admin/keys");
            await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "ci runner", Exact = true })).ToBeVisibleAsync();
            Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

            await page.GetByRole(AriaRole.Button, new() { Name = "Revoke ci runner" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "revoked" })).ToBeVisibleAsync();
            Assert.Equal(HttpStatusCode.Unauthorized, await ModelsStatusAsync(key));
        });
    }

    private async Task<HttpStatusCode> ModelsStatusAsync(string key)
    {
        using var client = console.Server.Client(key);
        return (await client.GetAsync("/v1/models")).StatusCode;
    }
}
