using System.Net;
using Bulkhead.Tests.Chat;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>A tenant admin's view of who used what: usage by user and by key, key last use, the users page.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleUsageTests(ConsoleFixture console)
{
    [Fact]
    public async Task usage_by_user_and_by_key_is_charted_against_the_quota_and_exported_as_csv()
    {
        var (tenant, key) = await TenantWithTrafficAsync("use");
        await console.InContextAsync(nameof(usage_by_user_and_by_key_is_charted_against_the_quota_and_exported_as_csv), async page =>
        {
            await ConsolePages.SignInAsync(page, tenant.Slug, "boss", "admin");
            await page.GetByRole(AriaRole.Link, new() { Name = "Usage", Exact = true }).ClickAsync();

            // Each chart is an image with a text alternative and the same numbers as a table.
            var byUser = page.Locator("#by-user");
            await Assertions.Expect(byUser.GetByRole(AriaRole.Img)).ToHaveAccessibleNameAsync(new System.Text.RegularExpressions.Regex("By user .*alice.* of a monthly quota"));
            await Assertions.Expect(byUser.GetByRole(AriaRole.Rowheader, new() { Name = "alice" })).ToBeVisibleAsync();
            await Assertions.Expect(byUser.GetByRole(AriaRole.Rowheader, new() { Name = "bob" })).ToBeVisibleAsync();
            var byKey = page.Locator("#by-key");
            await Assertions.Expect(byKey.GetByRole(AriaRole.Rowheader, new() { Name = "nightly batch" })).ToBeVisibleAsync();
            Assert.DoesNotContain("api-key:", await byUser.InnerTextAsync(), StringComparison.Ordinal);
            var bars = await byUser.Locator("rect[data-tokens]").CountAsync();
            Assert.Equal(2, bars);

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).ClickAsync());
            var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
            var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("month,kind,name,id,calls,used_tokens,monthly_quota", lines[0]);
            Assert.Contains(lines, l => l.Contains(",user,alice,,1,", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains($",key,nightly batch,{key.Id},1,", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains(",model,offline,,3,", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task the_keys_page_shows_when_each_key_was_last_used()
    {
        var (tenant, _) = await TenantWithTrafficAsync("last");
        await ConsolePages.CreateKeyAsync(console.Server, tenant.Id, "never used");
        await console.InContextAsync(nameof(the_keys_page_shows_when_each_key_was_last_used), async page =>
        {
            await ConsolePages.SignInAsync(page, tenant.Slug, "boss", "admin");
            await page.GotoAsync("/console/admin/keys");
            await Assertions.Expect(page.GetByTestId("last-used-never used")).ToHaveTextAsync("never");
            var used = await page.GetByTestId("last-used-nightly batch").TextContentAsync();
            var at = DateTimeOffset.Parse(used!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(DateTimeOffset.UtcNow - at < TimeSpan.FromMinutes(5), $"last used {used}");
        });
    }

    [Fact]
    public async Task the_users_page_lists_the_tenants_people_and_keys_with_their_activity_and_no_other_tenants()
    {
        var (tenant, key) = await TenantWithTrafficAsync("usr");
        var stranger = "zed-" + Guid.NewGuid().ToString("N")[..6];
        await TenantWithTrafficAsync("oth", user: stranger);
        await console.InContextAsync(nameof(the_users_page_lists_the_tenants_people_and_keys_with_their_activity_and_no_other_tenants), async page =>
        {
            await ConsolePages.SignInAsync(page, tenant.Slug, "boss", "admin");
            await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
            var alice = page.Locator("tr[data-user='alice']");
            await Assertions.Expect(alice).ToContainTextAsync("person");
            await Assertions.Expect(alice.Locator("td").Nth(2)).ToHaveTextAsync("1");
            await Assertions.Expect(alice).ToContainTextAsync("(1 calls)");
            await Assertions.Expect(page.Locator($"tr[data-user='api-key:{key.Id}']")).ToContainTextAsync("API key");
            Assert.DoesNotContain(stranger, await page.ContentAsync(), StringComparison.Ordinal);
        });

        // The API the page reads: admins only.
        using var member = console.Server.Client(TestKeys.Token(tenant.Id, "alice"));
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/tenant/users")).StatusCode);
    }

    /// <summary>A tenant where alice and bob chat through the API and a key calls the door, each once.</summary>
    private async Task<(Bulkhead.Tenancy.Tenant Tenant, (Guid Id, string Secret) Key)> TenantWithTrafficAsync(string prefix, string user = "alice")
    {
        var tenant = await console.Database.CreateTenantAsync(prefix + "-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var sub in new[] { user, "bob" })
        {
            using var client = console.Server.Client(TestKeys.Token(tenant.Id, sub));
            var conversation = await ConsolePages.ConversationAsync(console.Server, tenant.Id, sub, "usage of " + sub);
            await client.PostMessageAsync(conversation, "count my tokens");
        }

        var key = await ConsolePages.DoorCallAsync(console.Server, tenant.Id, "nightly batch");
        return (tenant, key);
    }
}
