using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>
/// Every console page passes axe with no serious or critical violation. With BULKHEAD_CONSOLE_SCREENSHOTS
/// set to a folder, the same walk saves a screenshot of each page there (docs/images uses them).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleAccessibilityTests(ConsoleFixture console)
{
    [Fact]
    public async Task axe_finds_no_serious_violation_on_any_page()
    {
        var tenant = await console.Database.CreateTenantAsync("a11y-" + Guid.NewGuid().ToString("N")[..6]);
        var id = await ConsolePages.ConversationAsync(console.Server, tenant.Id, "boss", "Quarterly report draft");
        await ConsolePages.ConversationAsync(console.Server, tenant.Id, "boss", "Onboarding checklist");
        await ConsolePages.DoorCallAsync(console.Server, tenant.Id, "Support bot");
        var findings = new List<string>();
        await console.InContextAsync(nameof(axe_finds_no_serious_violation_on_any_page), async page =>
        {
            // The Content-Security-Policy must not be what keeps a page working: no refusal on any page.
            page.Console += (_, message) =>
            {
                if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    findings.Add($"{page.Url}: {message.Text}");
                }
            };
            await ConsolePages.CheckAccessibilityAsync(page, "/console/signin", "signin", findings);
            await ConsolePages.SignInAsync(page, tenant.Slug, "boss", "admin");
            await ConsolePages.CheckAccessibilityAsync(page, "/console", "conversations", findings);
            await page.GotoAsync($"/console/conversations/{id}");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("Summarise the draft in three lines.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            await Assertions.Expect(page.Locator("#transcript .usage").Last).ToBeVisibleAsync();
            await ConsolePages.CheckAccessibilityAsync(page, null, "conversation", findings);
            foreach (var admin in new[] { "config", "keys", "usage", "users", "audit" })
            {
                await ConsolePages.CheckAccessibilityAsync(page, $"/console/admin/{admin}", "admin-" + admin, findings);
            }

            await page.Context.ClearCookiesAsync();
            await ConsolePages.SignInAsync(page, "", "operator", "platform");
            await ConsolePages.CheckAccessibilityAsync(page, "/console/platform/tenants", "platform-tenants", findings);
            await ConsolePages.CheckAccessibilityAsync(page, "/console/platform/alerts", "platform-alerts", findings);
            await ConsolePages.CheckAccessibilityAsync(page, $"/console/platform/tenants/{tenant.Id}/limits", "platform-limits", findings);
        });
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }
}
