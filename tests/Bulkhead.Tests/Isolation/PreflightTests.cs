using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Bulkhead.Tests.Isolation;

/// <summary>The server runs the catalog lint before it serves; <c>./bulkhead verify</c> prints it and sets its exit code.</summary>
public sealed class PreflightTests
{
    private const string BreakRowSecurity = "alter table app.conversations no force row level security";

    [Fact]
    public async Task the_server_refuses_to_serve_when_a_tenant_table_is_not_forced_and_names_it()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync(BreakRowSecurity);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await RunningServer.StartAsync(db));

        Assert.Contains("rls-enabled-and-forced: app.conversations", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_server_serves_anyway_only_with_the_explicit_unsafe_override()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync(BreakRowSecurity);

        await using var server = await RunningServer.StartAsync(db, new Dictionary<string, string?> { ["Bulkhead:UnsafeSkipIsolationChecks"] = "true" });

        using var client = server.Client();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task verify_exits_zero_on_a_fresh_database_and_prints_a_dated_json_report()
    {
        await using var db = await TestDatabase.CreateAsync();

        var (exit, stdout) = await VerifyAsync(db, "--json");

        Assert.Equal(0, exit);
        var report = JsonNode.Parse(stdout)!;
        Assert.True(report["passed"]!.GetValue<bool>());
        Assert.Equal(db.Name, report["databases"]![0]!["database"]!.GetValue<string>());
        Assert.NotNull(report["checked_at"]);
    }

    [Fact]
    public async Task verify_exits_one_naming_the_failing_object()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync(BreakRowSecurity);

        var (exit, stdout) = await VerifyAsync(db);

        Assert.Equal(1, exit);
        Assert.Contains("FAIL  rls-enabled-and-forced", stdout, StringComparison.Ordinal);
        Assert.Contains("app.conversations: row-level security is enabled but not forced", stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs the real CLI in its own process, configured like an operator would: by environment variables.</summary>
    private static async Task<(int Exit, string Stdout)> VerifyAsync(TestDatabase db, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Bulkhead.Host.dll"));
        start.ArgumentList.Add("verify");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["BULKHEAD_HOME"] = Path.Combine(Path.GetTempPath(), "bulkhead-verify-" + db.Name);
        start.Environment["Bulkhead__DatabaseConnection"] = db.AppConnection;
        start.Environment["Bulkhead__OwnerConnection"] = db.OwnerConnection;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode is 0 or 1, await stderr);
        return (process.ExitCode, await stdout);
    }
}
