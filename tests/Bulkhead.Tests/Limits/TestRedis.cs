using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Bulkhead.Tests.Limits;

/// <summary>The Redis that <c>./bulkhead test</c> starts for the run, shared by every test (keys are per tenant, tenants per test).</summary>
public static class TestRedis
{
    private static readonly Lazy<ConnectionMultiplexer> SharedConnection = new(() => ConnectionMultiplexer.Connect(Endpoint));

    public static string Endpoint => Environment.GetEnvironmentVariable("BULKHEAD_TEST_REDIS")
        ?? throw new InvalidOperationException("BULKHEAD_TEST_REDIS is not set: run the tests with './bulkhead test'.");

    public static IConnectionMultiplexer Shared => SharedConnection.Value;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A redis-server of a test's own, on a loopback port, that the test may stop and start again.</summary>
public sealed class PrivateRedis : IAsyncDisposable
{
    private readonly string _directory;
    private Process? _process;

    private PrivateRedis(int port, string directory)
    {
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<PrivateRedis> StartAsync()
    {
        var root = TestRun.Directory;
        var directory = Directory.CreateDirectory(Path.Combine(root, "redis-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var redis = new PrivateRedis(TestRedis.FreePort(), directory);
        await redis.StartAgainAsync();
        return redis;
    }

    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on {Endpoint}");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
