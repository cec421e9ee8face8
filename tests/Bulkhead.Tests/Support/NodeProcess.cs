using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Bulkhead.Tests.Support;

/// <summary>
/// One API node as a real process: the built host (<c>dotnet Bulkhead.Host.dll serve --port P</c>, as
/// <c>./bulkhead up --nodes</c> starts it), configured through its environment, that a test can kill
/// (SIGKILL), terminate (SIGTERM) and start again on the same port.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StringBuilder _log = new();
    private Process? _process;
    private string _lastReadiness = "(no answer)";

    private NodeProcess(int port, IReadOnlyDictionary<string, string> environment)
    {
        Port = port;
        _environment = environment;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri Address { get; }

    public bool HasExited => _process is null || _process.HasExited;

    /// <param name="environment">Settings as environment variables (<c>Bulkhead__DatabaseConnection</c>, ...).</param>
    public static async Task<NodeProcess> StartAsync(IReadOnlyDictionary<string, string> environment, int? port = null)
    {
        var node = new NodeProcess(port ?? Limits.TestRedis.FreePort(), environment);
        await node.StartAgainAsync();
        return node;
    }

    /// <summary>Starts the process (again, after a kill) and waits until <c>/readyz</c> answers 200.</summary>
    public async Task StartAgainAsync()
    {
        Assert.True(HasExited, $"the node on port {Port} still runs");
        _process?.Dispose();
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var arg in new[] { RepositoryRoot.HostDll, "serve", "--port", Port.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        // Only what the test sets: nothing of this process's own Bulkhead settings leaks into the node.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Bulkhead__", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, line) => Record(line.Data);
        process.ErrorDataReceived += (_, line) => Record(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitReadyAsync();
    }

    /// <summary>Waits until <c>/readyz</c> answers 200; fails with the node's log when the process exits first.</summary>
    public async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    if (HasExited)
                    {
                        Assert.Fail($"the node on port {Port} exited {_process?.ExitCode}:\n{Log()}");
                    }

                    return await ReadyAsync(http);
                },
                TimeSpan.FromSeconds(180),
                $"the node on port {Port} answers /readyz");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; its last /readyz: {_lastReadiness}; its log:\n{Log()}", e);
        }
    }

    /// <summary>SIGKILL: the process dies at once, with its requests in flight and its open transactions.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as an orchestrator stops a node: it drains and exits.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process!.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process!.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public HttpClient Client(string? token = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>What the node wrote to stdout and stderr, for a failing test's message.</summary>
    public string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("/readyz");
            _lastReadiness = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _lastReadiness = e.GetType().Name + ": " + e.Message;
            return false;
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
