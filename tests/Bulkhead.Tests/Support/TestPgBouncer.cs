using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Bulkhead.Tests.Support;

/// <summary>
/// A PgBouncer of a test's own in transaction mode, in front of the run's PostgreSQL, that the test may stop
/// and start again. <c>./bulkhead test</c> installs it (Debian's package); PgBouncer refuses to run as root,
/// so a root test run starts it as the postgres user.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TestPgBouncer : IAsyncDisposable
{
    private readonly string _directory;

    private TestPgBouncer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    private string PidFile => Path.Combine(_directory, "pgbouncer.pid");

    private string LogFile => Path.Combine(_directory, "pgbouncer.log");

    private static string Binary => Environment.GetEnvironmentVariable("BULKHEAD_TEST_PGBOUNCER")
        ?? throw new InvalidOperationException("BULKHEAD_TEST_PGBOUNCER is not set: run the tests with './bulkhead test', which installs PgBouncer.");

    private static bool Root => Environment.UserName == "root";

    /// <param name="poolSize">Server connections per database and user: tiny, so that every client shares them.</param>
    public static async Task<TestPgBouncer> StartAsync(int poolSize = 2)
    {
        var root = TestRun.Directory;
        var directory = Directory.CreateDirectory(Path.Combine(root, "pgbouncer-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var server = new NpgsqlConnectionStringBuilder(TestCluster.Superuser);
        var bouncer = new TestPgBouncer(directory, Limits.TestRedis.FreePort());
        var config = Path.Combine(directory, "pgbouncer.ini");
        var users = Path.Combine(directory, "userlist.txt");
        await File.WriteAllTextAsync(config, string.Join('\n',
            "[databases]",
            $"* = host={server.Host} port={server.Port}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            $"listen_port = {bouncer.Port}",
            "unix_socket_dir =",
            "auth_type = scram-sha-256",
            $"auth_file = {users}",
            "pool_mode = transaction",
            $"default_pool_size = {poolSize}",
            "min_pool_size = 0",
            "reserve_pool_size = 0",
            "max_client_conn = 500",
            "server_login_retry = 1",
            $"logfile = {bouncer.LogFile}",
            $"pidfile = {bouncer.PidFile}",
            "") + "\n");
        await File.WriteAllTextAsync(users, $"\"bulkhead_app\" \"{TestCluster.AppPassword}\"\n\"bulkhead_owner\" \"{TestCluster.OwnerPassword}\"\n");
        File.SetUnixFileMode(users, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Root)
        {
            await RunAsync("chown", "-R", "postgres:", directory);
        }

        await bouncer.StartAgainAsync();
        return bouncer;
    }

    /// <summary>The runtime role's connection to <paramref name="database"/> through this PgBouncer, without automatic preparation.</summary>
    public string AppConnection(string database, int maxPool = 20) => new NpgsqlConnectionStringBuilder(TestCluster.ConnectionString(database, "bulkhead_app", TestCluster.AppPassword, maxPool))
    {
        Port = Port,
        MaxAutoPrepare = 0,
    }.ConnectionString;

    public async Task StartAgainAsync()
    {
        var config = Path.Combine(_directory, "pgbouncer.ini");
        await (Root ? RunAsync("runuser", "-u", "postgres", "--", Binary, "-d", config) : RunAsync(Binary, "-d", config));
        await Eventually.UntilAsync(ListensAsync, TimeSpan.FromSeconds(30), $"PgBouncer listens on 127.0.0.1:{Port}");
    }

    /// <summary>Stops it at once (SIGKILL): its port is closed, its server connections dropped.</summary>
    public async Task StopAsync()
    {
        if (!File.Exists(PidFile))
        {
            return;
        }

        var pid = int.Parse((await File.ReadAllTextAsync(PidFile)).Trim(), CultureInfo.InvariantCulture);
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            await process.WaitForExitAsync();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }

        File.Delete(PidFile);
        await Eventually.UntilAsync(async () => !await ListensAsync(), TimeSpan.FromSeconds(30), $"PgBouncer on {Port} is closed");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The log, for a failing test's message.</summary>
    public string Log() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";

    private async Task<bool> ListensAsync()
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, Port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        }
    }
}
