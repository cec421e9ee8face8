using System.Net;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>
/// The production sign-in: OpenID Connect code flow with PKCE against a real (minimal) authority, the
/// callback at /console/signin-oidc making the session, and the API taking the access token it holds.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleOidcTests(ConsoleFixture console)
{
    [Fact]
    public async Task the_oidc_code_flow_with_pkce_signs_in_and_the_api_accepts_its_access_token()
    {
        await using var authority = await FakeOidcAuthority.StartAsync(TestKeys.Audience);
        authority.Subject = (console.Acme.Id, "oidc-" + Guid.NewGuid().ToString("N")[..6], "member");
        await using var server = await RunningServer.StartAsync(console.Database, new Dictionary<string, string?>
        {
            ["Bulkhead:Auth:Authority"] = authority.Issuer,
            ["Bulkhead:Auth:Issuer"] = authority.Issuer,
            ["Bulkhead:Auth:DevelopmentKey"] = "false",
            ["Bulkhead:Console:ClientId"] = "bulkhead-console",
        });
        var title = "signed in by oidc " + Guid.NewGuid().ToString("N")[..6];
        await ConsolePages.ConversationAsync(console.Server, console.Acme.Id, authority.Subject.Sub, title);

        // A server just started compiles the console and fetches the authority's discovery document on its first
        // challenge; on a slow machine that alone can outlast the browser's timeout, so it is done here first,
        // and the sign-in below is timed on a warm server.
        using (var warm = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) })
        {
            // /console sends an anonymous caller to /console/login, whose challenge sends it to the authority.
            var next = new Uri(server.Address, "/console");
            for (var hop = 0; next.Authority == server.Address.Authority; hop++)
            {
                Assert.True(hop < 5, $"/console did not reach the authority: {next}");
                using var answer = await warm.GetAsync(next);
                Assert.True((int)answer.StatusCode is >= 300 and < 400, $"{next} answered {(int)answer.StatusCode} before sign-in");
                next = new Uri(next, answer.Headers.Location!);
            }

            Assert.StartsWith(authority.Issuer + "/authorize?", next.ToString(), StringComparison.Ordinal);
        }

        var visited = new List<string>();
        await console.InContextAsync(nameof(the_oidc_code_flow_with_pkce_signs_in_and_the_api_accepts_its_access_token), server.Address, async page =>
        {
            page.Request += (_, request) => visited.Add(request.Method + " " + request.Url);
            await page.GotoAsync("/console");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
            // The page is a view of API answers made with the session's access token: the user's own conversation.
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = title })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("tenant-name")).ToContainTextAsync("acme");
            var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "__Host-bulkhead");
            Assert.True(cookie.HttpOnly && cookie.Secure);
            Assert.DoesNotContain("eyJ", await page.EvaluateAsync<string>("() => document.cookie"), StringComparison.Ordinal);
        });

        Assert.Contains(visited, v => v.StartsWith("GET " + authority.Issuer + "/authorize?", StringComparison.Ordinal) && v.Contains("code_challenge_method=S256", StringComparison.Ordinal));
        Assert.Contains(visited, v => v.StartsWith($"POST {server.Address}console/signin-oidc", StringComparison.Ordinal));
        Assert.Empty(authority.Refusals);
        Assert.Equal(1, authority.VerifiedPkce);

        using var client = server.Client(Assert.Single(authority.AccessTokens));
        var me = await client.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains(authority.Subject.Sub, await me.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var anonymous = server.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/console/signin")).StatusCode);
    }
}
