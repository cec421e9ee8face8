using System.Diagnostics;
using Bulkhead.Limits;
using StackExchange.Redis;

namespace Bulkhead.Tests.Limits;

/// <summary>Three redis-server masters in cluster mode on loopback, of this test class's own.</summary>
public sealed class RedisCluster : IAsyncLifetime
{
    private readonly List<Process> _nodes = [];
    private string _directory = "";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    /// <summary>The masters as a StackExchange.Redis configuration string (what <c>Bulkhead:Limits:Redis</c> takes).</summary>
    public string Endpoints { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var root = TestRun.Directory;
        _directory = Directory.CreateDirectory(Path.Combine(root, "cluster-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var ports = Enumerable.Range(0, 3).Select(_ => TestRedis.FreePort()).ToArray();
        foreach (var port in ports)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_directory, port.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
            _nodes.Add(Start("redis-server", dir, "--port", $"{port}", "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf", "--save", "", "--appendonly", "no", "--logfile", "redis.log"));
        }

        // Each node must answer before the cluster can be formed; a fixed pause was too short on a busy machine.
        foreach (var port in ports)
        {
            await Eventually.UntilAsync(() => PingsAsync(port), TimeSpan.FromSeconds(30), $"redis-server on port {port} answers PING");
        }

        var said = new System.Text.StringBuilder();
        using (var create = Start("redis-cli", _directory, said, ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]))
        {
            await create.WaitForExitAsync();
            Assert.True(create.ExitCode == 0, $"redis-cli --cluster create exited {create.ExitCode}: {said}");
        }

        Endpoints = string.Join(",", ports.Select(p => $"127.0.0.1:{p}"));
        Connection = await ConnectionMultiplexer.ConnectAsync(Endpoints + ",allowAdmin=true,asyncTimeout=30000,syncTimeout=30000");
        var clock = Stopwatch.StartNew();
        while ((await Connection.GetDatabase().ExecuteAsync("CLUSTER", "INFO")).ToString().Contains("cluster_state:ok", StringComparison.Ordinal) is false)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the cluster did not reach cluster_state:ok");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        foreach (var node in _nodes)
        {
            node.Kill();
            await node.WaitForExitAsync();
            node.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<bool> PingsAsync(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var reply = new byte[7];
            var read = await stream.ReadAtLeastAsync(reply, reply.Length, throwOnEndOfStream: false);
            return System.Text.Encoding.ASCII.GetString(reply, 0, read) == "+PONG\r\n";
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static Process Start(string program, string directory, params string[] args) => Start(program, directory, null, args);

    private static Process Start(string program, string directory, System.Text.StringBuilder? sink, params string[] args)
    {
        void Record(string? line)
        {
            if (sink is not null && line is not null)
            {
                lock (sink)
                {
                    sink.AppendLine(line);
                }
            }
        }

        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        process.OutputDataReceived += (_, line) => Record(line.Data);
        process.ErrorDataReceived += (_, line) => Record(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

/// <summary>The concurrency test of the shared Redis, on Redis Cluster: tenants spread over every master.</summary>
public sealed class RedisClusterTests(RedisCluster cluster) : IClassFixture<RedisCluster>
{
    [Fact]
    public async Task on_a_three_master_cluster_every_tenant_and_user_gets_exactly_its_burst()
    {
        var limiter = new RedisGcra(cluster.Connection);
        var tenants = Enumerable.Range(0, 30).Select(_ => Guid.CreateVersion7()).ToArray();
        var clock = Stopwatch.StartNew();

        // Per tenant: 20 concurrent decisions by one user (burst 3) inside the tenant (burst 5), and 20 tenant-only ones.
        var decisions = await Task.WhenAll(tenants.Select(async tenant =>
        {
            var tenantRule = new GcraRule(RateLimitKeys.Tenant(tenant), 10_000_000, 50_000_000);
            var userRule = new GcraRule(RateLimitKeys.User(tenant, "alice"), 10_000_000, 30_000_000);
            var chat = Enumerable.Range(0, 20).Select(_ => limiter.CheckAsync([tenantRule, userRule], default).AsTask());
            var rest = Enumerable.Range(0, 20).Select(_ => limiter.CheckAsync([tenantRule], default).AsTask());
            var all = await Task.WhenAll(chat.Concat(rest));
            return (Chat: all.Take(20).Count(d => d.Allowed), Total: all.Count(d => d.Allowed));
        }));
        var due = (int)(clock.Elapsed.TotalSeconds / 10);

        var layout = cluster.Connection.GetServers()[0].ClusterConfiguration!;
        var masters = tenants.Select(t => layout.GetBySlot(cluster.Connection.HashSlot(RateLimitKeys.Tenant(t)))!.EndPoint).Distinct().Count();
        Assert.Equal(3, masters);
        Assert.All(decisions, d => Assert.InRange(d.Total, 5, 5 + due));
        Assert.All(decisions, d => Assert.InRange(d.Chat, 0, 3 + due));
    }
}
