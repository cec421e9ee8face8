using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Hosting;

/// <summary>
/// The README's first command on a fresh checkout: a copy of this working tree in a mode-700 directory
/// (where the postgres user cannot enter, as in a home directory), <c>./bulkhead up</c> on free ports,
/// the demo tenants answering, then <c>./bulkhead down</c>. The build output is copied along, so the test
/// checks set-up and start, not the compiler.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FreshCloneTests(ITestOutputHelper output)
{
    [Fact]
    public async Task up_in_a_private_checkout_serves_the_demo_tenants_and_down_stops_it()
    {
        var root = RepositoryRoot.Path;
        var home = Directory.CreateTempSubdirectory("bulkhead-clone-");
        string? outside = null;
        Process? up = null;
        try
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home.FullName));
            var clone = Path.Combine(home.FullName, "bulkhead");
            await CopyWorkingTreeAsync(root, clone);
            var apiPort = Limits.TestRedis.FreePort();
            var pgPort = Limits.TestRedis.FreePort();
            var log = Path.Combine(home.FullName, "up.log");

            up = Start(clone, pgPort, log, "up", "--port", apiPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(10) };
            await Eventually.UntilAsync(
                async () =>
                {
                    // The log is read only once up has exited: before its shell opens it, it does not exist.
                    if (up.HasExited)
                    {
                        Assert.Fail($"./bulkhead up exited {up.ExitCode}:\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "(no output)")}");
                    }

                    try
                    {
                        return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromMinutes(5),
                "./bulkhead up answers /healthz");

            var link = Path.Combine(clone, ".bulkhead", "pg");
            outside = new FileInfo(link).LinkTarget;
            if (Environment.UserName == "root")
            {
                Assert.NotNull(outside);
                Assert.StartsWith("/var/tmp/bulkhead.", outside, StringComparison.Ordinal);
            }

            var lists = new Dictionary<string, HashSet<string>>();
            foreach (var slug in new[] { "acme", "globex" })
            {
                var token = (await RunAsync(clone, pgPort, "token", "--tenant", slug, "--user", "123")).Trim();
                using var me = new HttpRequestMessage(HttpMethod.Get, "/api/me");
                me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var body = JsonNode.Parse(await (await http.SendAsync(me)).Content.ReadAsStringAsync())!;
                Assert.Equal(slug, body["tenant_slug"]!.GetValue<string>());

                using var list = new HttpRequestMessage(HttpMethod.Get, "/api/conversations");
                list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var page = JsonNode.Parse(await (await http.SendAsync(list)).Content.ReadAsStringAsync())!;
                lists[slug] = page["items"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).ToHashSet();
                Assert.NotEmpty(lists[slug]);
            }

            Assert.Empty(lists["acme"].Intersect(lists["globex"]));

            await RunAsync(clone, pgPort, "down");
            await up.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/healthz"));
        }
        finally
        {
            await CleanUpAsync(home, up, outside);
        }
    }

    /// <summary>
    /// Stops whatever a failed run left behind (harmless when <c>down</c> already ran) and removes the copy.
    /// A failure here is written to the test output, never thrown: it would hide the assertion that failed.
    /// </summary>
    private async Task CleanUpAsync(DirectoryInfo home, Process? up, string? outside)
    {
        var clone = Path.Combine(home.FullName, "bulkhead");
        try
        {
            if (up is not null)
            {
                if (!up.HasExited)
                {
                    up.Kill(entireProcessTree: true);
                    await up.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
                }

                up.Dispose();
            }

            if (File.Exists(Path.Combine(clone, ".bulkhead", "secrets.env")))
            {
                output.WriteLine(await RunAsync(clone, 0, "down", check: false));
            }

            var log = Path.Combine(home.FullName, "up.log");
            if (File.Exists(log))
            {
                output.WriteLine(await File.ReadAllTextAsync(log));
            }

            home.Delete(recursive: true);
            if (outside is not null && Directory.Exists(Path.GetDirectoryName(outside)))
            {
                Directory.Delete(Path.GetDirectoryName(outside)!, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException)
        {
            output.WriteLine($"clean-up of {home.FullName} failed: {e}");
        }
    }

    /// <summary>Every tracked and untracked-but-not-ignored file of the working tree, then the built server.</summary>
    private static async Task CopyWorkingTreeAsync(string root, string clone)
    {
        var files = await RunProcessAsync(root, "git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
        foreach (var file in files.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var source = Path.Combine(root, file);
            if (!File.Exists(source))
            {
                continue;
            }

            var target = Path.Combine(clone, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(source));
        }

        var built = Path.Combine("src", "Bulkhead.Host", "bin", "Release", "net10.0");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, built), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(clone, built, Path.GetRelativePath(Path.Combine(root, built), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        // Newer than every copied source, so ./bulkhead does not rebuild.
        File.SetLastWriteTimeUtc(Path.Combine(clone, built, "Bulkhead.Host.dll"), DateTime.UtcNow.AddMinutes(1));
    }

    private static Process Start(string clone, int pgPort, string log, params string[] args)
    {
        var info = Info(clone, pgPort, args);
        info.RedirectStandardOutput = info.RedirectStandardError = false;
        info.FileName = "/bin/sh";
        info.ArgumentList.Clear();
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec ./bulkhead \"$@\" >\"$BULKHEAD_TEST_UP_LOG\" 2>&1 </dev/null");
        info.ArgumentList.Add("bulkhead");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["BULKHEAD_TEST_UP_LOG"] = log;
        return Process.Start(info)!;
    }

    private static async Task<string> RunAsync(string clone, int pgPort, string verb, params string[] args) =>
        await RunAsync(clone, pgPort, verb, true, args);

    private static async Task<string> RunAsync(string clone, int pgPort, string verb, bool check, params string[] args)
    {
        var info = Info(clone, pgPort, [verb, .. args]);
        return await RunProcessAsync(info, check);
    }

    private static ProcessStartInfo Info(string clone, int pgPort, string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(clone, "bulkhead")) { WorkingDirectory = clone, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The clone keeps its own state: nothing of the checkout that runs the tests leaks in.
        info.Environment.Remove("BULKHEAD_HOME");
        if (pgPort > 0)
        {
            info.Environment["BULKHEAD_PG_PORT"] = pgPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            info.Environment.Remove("BULKHEAD_PG_PORT");
        }

        return info;
    }

    private static Task<string> RunProcessAsync(string directory, string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return RunProcessAsync(info, check: true);
    }

    private static async Task<string> RunProcessAsync(ProcessStartInfo info, bool check)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{info.FileName} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
