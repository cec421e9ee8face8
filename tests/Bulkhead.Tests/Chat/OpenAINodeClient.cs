using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Bulkhead.Tests.Chat;

/// <summary>
/// Runs the official <c>openai</c> npm client (tests/openai-client) against the door. Installs it with
/// <c>npm ci</c> from the committed lock file the first time, so a clean checkout works.
/// </summary>
public static class OpenAINodeClient
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Folder { get; } = FindFolder();

    public static async Task<JsonNode> RunAsync(string script, params string[] args)
    {
        await EnsureInstalledAsync();
        var (code, output, error) = await RunProcessAsync("node", [script, .. args]);
        Assert.True(code == 0, $"node {script} failed ({code}): {error}");
        return JsonNode.Parse(output.Trim().Split('\n')[^1])!;
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(Folder, "node_modules", "openai")))
            {
                var (code, _, error) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"]);
                Assert.True(code == 0, "npm ci failed: " + error);
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunProcessAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await error);
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "openai-client");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/openai-client not found above " + AppContext.BaseDirectory);
    }
}
