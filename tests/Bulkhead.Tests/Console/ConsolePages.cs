using Deque.AxeCore.Playwright;
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

    /// <summary>An API key made through the API by the tenant's admin <c>boss</c>.</summary>
    public static async Task<(Guid Id, string Secret)> CreateKeyAsync(RunningServer server, Guid tenant, string name)
    {
        using var admin = server.Client(TestKeys.Token(tenant, "boss", "admin"));
        var response = await admin.PostAsJsonAsync("/api/tenant/api-keys", new { name });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (body.GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }

    /// <summary>A new key named <paramref name="name"/> that has made one call to the OpenAI-compatible door.</summary>
    public static async Task<(Guid Id, string Secret)> DoorCallAsync(RunningServer server, Guid tenant, string name)
    {
        var key = await CreateKeyAsync(server, tenant, name);
        using var door = server.Client(key.Secret);
        var answer = await door.PostAsJsonAsync("/v1/chat/completions", new { model = "offline", messages = new[] { new { role = "user", content = "from " + name } } });
        answer.EnsureSuccessStatusCode();
        return key;
    }

    /// <summary>Runs axe on the page as it is (or after opening <paramref name="path"/>); shared with tests that reach a page state by acting.</summary>
    public static async Task CheckAccessibilityAsync(IPage page, string? path, string name, List<string> findings)
    {
        if (path is not null)
        {
            await page.GotoAsync(path);
        }

        await page.Locator("h1").First.WaitForAsync();
        var result = await page.RunAxe();
        findings.AddRange(result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{name}: {v.Impact} {v.Id}: {v.Help} ({string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))})"));
        if (Environment.GetEnvironmentVariable("BULKHEAD_CONSOLE_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"console-{name}.png"), FullPage = true });
        }
    }
}
