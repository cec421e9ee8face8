using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>The operator edits a tenant's limit overrides through the limits API, and sees its validation.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleLimitsTests(ConsoleFixture console)
{
    [Fact]
    public async Task the_operator_edits_a_tenants_limits_and_sees_the_apis_validation_messages()
    {
        var tenant = await console.Database.CreateTenantAsync("lim-" + Guid.NewGuid().ToString("N")[..6]);
        await console.InContextAsync(nameof(the_operator_edits_a_tenants_limits_and_sees_the_apis_validation_messages), async page =>
        {
            await ConsolePages.SignInAsync(page, "", "operator", "platform");
            await page.GetByRole(AriaRole.Link, new() { Name = $"Limits of {tenant.Slug}" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Limits of {tenant.Slug}" })).ToBeVisibleAsync();

            // The API's rule, beside its field; what was typed stays.
            var perMinute = page.GetByLabel("Requests per minute (tenant)");
            await perMinute.FillAsync("0");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save limits" }).ClickAsync();
            await Assertions.Expect(page.Locator("#requests_per_minute-error")).ToHaveTextAsync("requests_per_minute must be a positive number, or null to inherit the plan.");
            await Assertions.Expect(page.GetByLabel("Requests per minute (tenant)")).ToHaveValueAsync("0");

            await page.GetByLabel("Burst (seconds of each rate at once)").FillAsync("100000");
            await page.GetByLabel("Requests per minute (tenant)").FillAsync("1200");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save limits" }).ClickAsync();
            await Assertions.Expect(page.Locator("#burst_seconds-error")).ToContainTextAsync("burst_seconds must be between 1 and");

            await page.GetByLabel("Burst (seconds of each rate at once)").FillAsync("");
            await page.GetByLabel("Monthly tokens").FillAsync("a lot");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save limits" }).ClickAsync();
            await Assertions.Expect(page.Locator("#monthly_tokens-error")).ToContainTextAsync("must be a whole number");

            await page.GetByLabel("Monthly tokens").FillAsync("250000");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save limits" }).ClickAsync();
            await Assertions.Expect(page.Locator("#limits-notice")).ToHaveTextAsync("Saved.");
            await Assertions.Expect(page.Locator("#monthly_tokens-hint")).ToHaveTextAsync("In force: 250000");

            using var platform = console.Server.Client(TestKeys.PlatformToken());
            var limits = await platform.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/admin/tenants/{tenant.Id}/limits");
            Assert.Equal(1200, limits.GetProperty("overrides").GetProperty("requests_per_minute").GetInt32());
            Assert.Equal(250000, limits.GetProperty("overrides").GetProperty("monthly_tokens").GetInt64());

            await page.GetByRole(AriaRole.Button, new() { Name = "Clear every override" }).ClickAsync();
            await Assertions.Expect(page.Locator("#limits-notice")).ToContainTextAsync("Every override is cleared");
            await Assertions.Expect(page.GetByLabel("Monthly tokens")).ToHaveValueAsync("");
            limits = await platform.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/admin/tenants/{tenant.Id}/limits");
            Assert.Equal(System.Text.Json.JsonValueKind.Null, limits.GetProperty("overrides").GetProperty("monthly_tokens").ValueKind);
        });
    }
}
