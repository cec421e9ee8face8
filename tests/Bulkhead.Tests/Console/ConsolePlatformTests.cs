using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>The platform operator's pages, and what a suspension does to a tenant's open sessions.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsolePlatformTests(ConsoleFixture console)
{
    [Fact]
    public async Task the_operator_moves_a_tenant_and_watches_it_finish_without_seeing_content()
    {
        var tenant = await console.Database.CreateTenantAsync("mv-" + Guid.NewGuid().ToString("N")[..6]);
        var canary = "cnry" + Guid.NewGuid().ToString("N")[..10];
        await ConsolePages.ConversationAsync(console.Server, tenant.Id, "alice", canary);
        await console.InContextAsync(nameof(the_operator_moves_a_tenant_and_watches_it_finish_without_seeing_content), async page =>
        {
            await ConsolePages.SignInAsync(page, "", "operator", "platform");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/platform/tenants"));
            await Assertions.Expect(page.GetByTestId($"tier-{tenant.Slug}")).ToHaveTextAsync("pooled");

            await page.GetByLabel($"Move {tenant.Slug} to").SelectOptionAsync("schema");
            await page.GetByRole(AriaRole.Button, new() { Name = $"Move {tenant.Slug}" }).ClickAsync();

            // Progress streams in while the move runs: the bulk copy complete, the switch made, the source's
            // trail held open for a few seconds, then done.
            var progress = page.Locator("#move-progress");
            await Assertions.Expect(progress).ToHaveAttributeAsync("data-state", "moving");
            await Assertions.Expect(page.Locator("#move-state")).ToContainTextAsync("purging: keeping the source's audit trail open");
            var rows = (await page.Locator("#move-rows-text").TextContentAsync())!.Split(" of ");
            Assert.True(long.Parse(rows[1], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture) >= 2, $"rows {rows[1]}");
            Assert.Equal(rows[1], rows[0]);
            await Assertions.Expect(progress).ToHaveAttributeAsync("data-state", "done");
            await Assertions.Expect(page.Locator("#move-state")).ToContainTextAsync("Done.");
            var steps = await page.Locator("#move-steps li").AllTextContentsAsync();
            Assert.Contains(steps, s => s.StartsWith("keeping the source's audit trail open", StringComparison.Ordinal));
            Assert.DoesNotContain(steps, s => s.Contains(canary, StringComparison.Ordinal));
            await Assertions.Expect(page.Locator("#tenants-notice")).ToContainTextAsync($"Moved {tenant.Slug} from pooled");
            var findings = new List<string>();
            await ConsolePages.CheckAccessibilityAsync(page, null, "platform-move", findings);
            Assert.True(findings.Count == 0, string.Join("\n", findings));
            await Assertions.Expect(page.Locator("#tenants-notice")).ToContainTextAsync(" to schema");
            await Assertions.Expect(page.GetByTestId($"tier-{tenant.Slug}")).ToHaveTextAsync("schema");
            Assert.DoesNotContain(canary, await page.ContentAsync(), StringComparison.Ordinal);

            await page.GetByRole(AriaRole.Link, new() { Name = "Alerts" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Alerts" })).ToBeVisibleAsync();
            Assert.DoesNotContain(canary, await page.ContentAsync(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task a_suspended_tenants_session_ends_at_its_next_request()
    {
        var tenant = await console.Database.CreateTenantAsync("susp-" + Guid.NewGuid().ToString("N")[..6]);
        await console.InContextAsync(nameof(a_suspended_tenants_session_ends_at_its_next_request), async page =>
        {
            await ConsolePages.SignInAsync(page, tenant.Slug, "123");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Conversations" })).ToBeVisibleAsync();

            using var platform = console.Server.Client(TestKeys.PlatformToken());
            (await platform.PatchAsJsonAsync($"/api/admin/tenants/{tenant.Id}", new { status = "suspended" })).EnsureSuccessStatusCode();

            await page.GotoAsync("/console");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/signin"));
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "__Host-bulkhead");
        });
    }
}
