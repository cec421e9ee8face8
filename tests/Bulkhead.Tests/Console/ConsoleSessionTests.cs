using System.Net;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>Signing in, whose conversations a session sees, and what page scripts can reach.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSessionTests(ConsoleFixture console)
{
    [Fact]
    public async Task acme_123_and_globex_123_each_see_only_their_own_conversations()
    {
        var acmeTitle = "acme plan " + Guid.NewGuid().ToString("N")[..8];
        var globexTitle = "globex plan " + Guid.NewGuid().ToString("N")[..8];
        await ConsolePages.ConversationAsync(console.Server, console.Acme.Id, "123", acmeTitle);
        await ConsolePages.ConversationAsync(console.Server, console.Globex.Id, "123", globexTitle);

        foreach (var (tenant, own, foreign) in new[] { ("acme", acmeTitle, globexTitle), ("globex", globexTitle, acmeTitle) })
        {
            await console.InContextAsync($"{tenant}_sees_own", async page =>
            {
                await ConsolePages.SignInAsync(page, tenant, "123");
                await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = own })).ToBeVisibleAsync();
                await Assertions.Expect(page.GetByTestId("tenant-name")).ToContainTextAsync(tenant);
                Assert.DoesNotContain(foreign, await page.ContentAsync(), StringComparison.Ordinal);
            });
        }
    }

    [Fact]
    public async Task the_console_without_a_session_leads_to_sign_in()
    {
        await console.InContextAsync(nameof(the_console_without_a_session_leads_to_sign_in), async page =>
        {
            await page.GotoAsync("/console");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/signin"));
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        });
    }

    [Fact]
    public async Task no_credential_is_readable_by_page_scripts()
    {
        await console.InContextAsync(nameof(no_credential_is_readable_by_page_scripts), async page =>
        {
            await ConsolePages.SignInAsync(page, "acme", "123");
            var seen = await page.EvaluateAsync<string>(
                "() => JSON.stringify({ cookie: document.cookie, local: Object.entries(localStorage), session: Object.entries(sessionStorage) })");
            Assert.DoesNotContain("__Host-bulkhead", seen, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJ", seen, StringComparison.Ordinal);
            Assert.Contains("\"local\":[]", seen, StringComparison.Ordinal);
            Assert.Contains("\"session\":[]", seen, StringComparison.Ordinal);

            var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "__Host-bulkhead");
            Assert.True(cookie.HttpOnly);
            Assert.True(cookie.Secure);
            Assert.Equal("/", cookie.Path);
            Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        });
    }

    [Fact]
    public async Task a_bearer_token_opens_no_console_page_and_the_api_stays_bearer()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = console.Server.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.Token(console.Acme.Id, "123"));
        var page = await client.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/console/signin", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task every_console_page_sends_a_content_security_policy()
    {
        using var client = console.Server.Client();
        var response = await client.GetAsync("/console/signin");
        var policy = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_script_call_with_the_session_cookie_but_no_antiforgery_header_is_refused()
    {
        var id = await ConsolePages.ConversationAsync(console.Server, console.Acme.Id, "csrf", "csrf target");
        await console.InContextAsync(nameof(a_script_call_with_the_session_cookie_but_no_antiforgery_header_is_refused), async page =>
        {
            await ConsolePages.SignInAsync(page, "acme", "csrf");
            var forged = await page.Context.APIRequest.PostAsync($"/console/chat/{id}", new() { DataObject = new { content = "forged" } });
            Assert.Equal(400, forged.Status);
            await page.GotoAsync($"/console/conversations/{id}");
            Assert.DoesNotContain("forged", await page.Locator("#transcript").InnerTextAsync(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task the_framework_script_is_served_for_enhanced_navigation()
    {
        using var client = console.Server.Client();
        var response = await client.GetAsync("/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("javascript", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }
}
