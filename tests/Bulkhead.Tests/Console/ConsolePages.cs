using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>What a person does in the console, as steps the tests share.</summary>
public static class ConsolePages
{
    public static async Task SignInAsync(IPage page, string tenant, string user, string role = "member")
    {
        await page.GotoAsync("/console/signin");
        await page.GetByLabel("Tenant").FillAsync(tenant);
        await page.GetByLabel("User").FillAsync(user);
        await page.GetByLabel("Role").SelectOptionAsync(role);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    /// <summary>A conversation made through the API with a bearer token, as any client would.</summary>
    public static async Task<Guid> ConversationAsync(RunningServer server, Guid tenant, string sub, string title)
    {
        using var client = server.Client(TestKeys.Token(tenant, sub));
        var response = await client.PostAsJsonAsync("/api/conversations", new { title });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("id").GetGuid();
    }
}
