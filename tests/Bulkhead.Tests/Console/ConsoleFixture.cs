using System.Security.Cryptography;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Chat;
using Microsoft.Playwright;

namespace Bulkhead.Tests.WebConsole;

/// <summary>
/// One server, one database with the tenants acme and globex, the fake model server (a tenant that picks
/// <c>fake-slow</c> gets a reply that never finishes), and one Chromium (Debian's, never a downloaded build) for every console test; each test gets a fresh browser context. A failing test leaves a screenshot
/// and a trace under console-failures/ beside the test assembly.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright _playwright = null!;

    public TestDatabase Database { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public FakeOpenAIServer Model { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Tenant Acme { get; private set; } = null!;

    public Tenant Globex { get; private set; } = null!;

    public static string Failures { get; } = Path.Combine(AppContext.BaseDirectory, "console-failures");

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Acme = await Database.CreateTenantAsync("acme");
        Globex = await Database.CreateTenantAsync("globex");
        Model = await FakeOpenAIServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Bulkhead:Chat:OpenAI:BaseUrl"] = Model.BaseUrl,
            ["Bulkhead:Chat:OpenAI:ApiKey"] = "server-key",
            ["Bulkhead:Chat:ProviderKeySecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        for (var i = 0; i < FakeOpenAIServer.Models.Length; i++)
        {
            settings[$"Bulkhead:Chat:OpenAI:Models:{i}"] = FakeOpenAIServer.Models[i];
        }

        Server = await RunningServer.StartAsync(Database, settings);
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("BULKHEAD_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Args = ChromiumArgs,
        });
    }

    /// <summary>Runs a test in a fresh context; on failure saves a screenshot and a trace, then rethrows.</summary>
    public Task InContextAsync(string test, Func<IPage, Task> body) => InContextAsync(test, Server.Address, body);

    /// <summary>The same, against another server (one started by the test with other settings).</summary>
    public async Task InContextAsync(string test, Uri server, Func<IPage, Task> body)
    {
        await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.ToString().TrimEnd('/') });
        context.SetDefaultTimeout(15_000);
        await context.Tracing.StartAsync(new TracingStartOptions { Screenshots = true, Snapshots = true });
        var page = await context.NewPageAsync();
        try
        {
            await body(page);
            await context.Tracing.StopAsync();
        }
        catch
        {
            Directory.CreateDirectory(Failures);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Failures, test + ".png"), FullPage = true });
            await context.Tracing.StopAsync(new TracingStopOptions { Path = Path.Combine(Failures, test + ".trace.zip") });
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
        await Model.DisposeAsync();
        await Database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
