using System.Diagnostics;
using Npgsql;

namespace Bulkhead.Tests.Support;

/// <summary>The real pg_dump and psql of the run's PostgreSQL, as an operator takes and restores a backup.</summary>
public static class PgDump
{
    private static string Bin => Environment.GetEnvironmentVariable("BULKHEAD_TEST_PG_BIN")
        ?? throw new InvalidOperationException("BULKHEAD_TEST_PG_BIN is not set: run the tests with './bulkhead test'.");

    /// <summary>A plain-SQL dump of the whole database, written to a file of the test run.</summary>
    public static async Task<string> DumpAsync(string database)
    {
        var file = Path.Combine(Path.GetTempPath(), $"bulkhead-dump-{database}-{Guid.NewGuid():N}.sql");
        await RunAsync("pg_dump", database, "--format=plain", "--no-owner", "--file", file);
        return file;
    }

    /// <summary>Restores a plain dump into a new database of the same cluster and returns its name.</summary>
    public static async Task<string> RestoreAsync(string dump)
    {
        var database = "restored_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(TestCluster.SuperuserConnection("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        await RunAsync("psql", database, "--quiet", "--set", "ON_ERROR_STOP=1", "--file", dump);
        return database;
    }

    public static async Task DropAsync(string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestCluster.SuperuserConnection("postgres"));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists {database} with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task RunAsync(string tool, string database, params string[] args)
    {
        var server = new NpgsqlConnectionStringBuilder(TestCluster.Superuser);
        var info = new ProcessStartInfo(Path.Combine(Bin, tool)) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "--host", server.Host!, "--port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--username", server.Username!, "--dbname", database }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PGPASSWORD"] = server.Password;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed ({process.ExitCode}): {await errors}{await output}");
    }
}
