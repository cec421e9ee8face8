using System.Collections.Concurrent;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Storage;
using Npgsql;

namespace Bulkhead.Tests.Tenancy;

/// <summary>Thousands of tenant databases must not exhaust the servers: the registry caps connections.</summary>
public sealed class DatabaseTierRegistryTests(StorageFixture fixture) : IClassFixture<StorageFixture>
{
    [Fact]
    public async Task many_database_tier_tenants_used_in_turn_never_exceed_the_connection_cap()
    {
        var db = fixture.Database;
        var tenants = new List<Tenant>();
        for (var i = 0; i < 10; i++)
        {
            tenants.Add(await db.CreateTenantAsync(Tier.Database));
        }

        var options = new DatabaseTierOptions { MaxConnections = 4, PoolSizePerDatabase = 1, IdleTimeout = TimeSpan.FromMinutes(5) };
        var registry = new DatabaseSourceRegistry(db.Credentials, options, TimeProvider.System);
        await using (registry)
        {
            var router = new PlacementRouter(db.App, new ServerRegistry(db.App, db.Credentials), registry);
            var names = tenants.Select(t => t.Placement.Database!).ToArray();
            await using var watcher = NpgsqlDataSource.Create(TestCluster.SecondServerSuperuser);
            var highest = 0L;
            var observed = new ConcurrentBag<long>();
            using var stop = new CancellationTokenSource();
            var sampling = Task.Run(async () =>
            {
                var serverPort = new NpgsqlConnectionStringBuilder(TestCluster.SecondServerSuperuser).Port;
                while (!stop.IsCancellationRequested)
                {
                    await using var count = watcher.CreateCommand("select coalesce(array_agg(client_port), '{}') from pg_stat_activity where usename = 'bulkhead_app' and datname = any($1)");
                    count.Parameters.Add(new NpgsqlParameter { Value = names });
                    var clientPorts = (int[])(await count.ExecuteScalarAsync())!;

                    // A backend whose client has already closed its socket can linger in pg_stat_activity for a
                    // moment on a loaded machine (it has not yet read the Terminate message): only connections
                    // whose client end is still established here count as held.
                    var held = EstablishedLocalPorts(serverPort);
                    observed.Add(clientPorts.Count(held.Contains));
                    await Task.Delay(2);
                }
            });

            await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var tenant = tenants[i % tenants.Count];
                await using var session = await TenantSession.OpenAsync(tenant.Scope, router, ct);
                var store = new ConversationStore(session, TestKeyRing.Keys);
                await store.CreateAsync(new Viewer("turn", false), $"call {i}", ct);
                Assert.True(registry.OpenSources <= 4);
            });
            await stop.CancelAsync();
            await sampling;
            highest = observed.Max();

            Assert.True(observed.Count > 10, "the watcher should have sampled the servers during the run");
            Assert.InRange(highest, 1, options.MaxConnections);
        }

        foreach (var tenant in tenants)
        {
            await using var session = await TenantSession.OpenAsync(tenant.Scope, db.Router(), default);
            var page = await new ConversationStore(session, TestKeyRing.Keys).ListAsync(new Viewer("turn", false), null, null, 100, default);
            Assert.Equal(30, page.Items.Count);
        }
    }

    /// <summary>This machine's local ports of established TCP connections to <paramref name="remotePort"/> (from /proc/net/tcp and tcp6).</summary>
    private static HashSet<int> EstablishedLocalPorts(int remotePort)
    {
        var ports = new HashSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st ...: addresses are HEX_IP:HEX_PORT, state 01 is ESTABLISHED.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == "01" && Port(fields[2]) == remotePort)
                {
                    ports.Add(Port(fields[1]));
                }
            }
        }

        return ports;

        static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }
}
