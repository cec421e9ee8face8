using System.Globalization;
using Bulkhead.Audit;
using Bulkhead.Host.Audit;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Limits;

namespace Bulkhead.Tests.Hosting.ScaleOut;

/// <summary>
/// The production shape of docs/scale-out.md on one machine: API nodes as real processes, their runtime
/// connections through PgBouncer in transaction mode, their limits in a three-master Redis Cluster, their
/// audit checkpoints in one directory signed by one key, and tenants in every tier, the database tier on
/// the run's second PostgreSQL server.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScaleOutDeployment : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];
    private readonly string _home;
    private Dictionary<string, string> _environment = [];

    private ScaleOutDeployment(TestDatabase database, TestPgBouncer bouncer, RedisCluster redis, string home)
    {
        Database = database;
        Bouncer = bouncer;
        Redis = redis;
        _home = home;
    }

    public TestDatabase Database { get; }

    public TestPgBouncer Bouncer { get; }

    public RedisCluster Redis { get; }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    public DirectoryCheckpointStore Checkpoints => new(Path.Combine(_home, "checkpoints"));

    public string SigningKeyFile => Path.Combine(_home, "audit-signing-key.pem");

    /// <param name="instances">What the nodes are told <c>Bulkhead:Limits:InstanceCount</c> is.</param>
    public static async Task<ScaleOutDeployment> StartAsync(int instances)
    {
        var root = TestRun.Directory;
        var home = Directory.CreateDirectory(Path.Combine(root, "scale-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var database = await TestDatabase.CreateAsync();
        await database.EnsureSecondServerAsync();
        var redis = new RedisCluster();
        await redis.InitializeAsync();
        var deployment = new ScaleOutDeployment(database, await TestPgBouncer.StartAsync(poolSize: 20), redis, home);
        deployment._environment = deployment.Settings(instances);

        // Made before the nodes start, so that they do not race to create it.
        using var _ = CheckpointKeyFile.Load(deployment.SigningKeyFile);
        return deployment;
    }

    /// <summary>
    /// Tenants in all three tiers (database ones on the second server), each with its member's token; on
    /// the enterprise plan with a per-user chat limit out of the way, so that only the limited tenant is ever refused.
    /// </summary>
    public async Task<List<LoadTenant>> CreateTenantsAsync(int pooled, int schema, int database)
    {
        var tiers = Enumerable.Repeat(Tier.Pooled, pooled).Concat(Enumerable.Repeat(Tier.Schema, schema)).Concat(Enumerable.Repeat(Tier.Database, database));
        var tenants = new List<LoadTenant>();
        await Parallel.ForEachAsync(tiers.Select((tier, i) => (tier, i)), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (t, _) =>
        {
            var tenant = await Database.CreateTenantAsync(t.tier, $"{t.tier.ToString().ToLowerInvariant()}-{t.i}-{Guid.NewGuid().ToString("N")[..6]}", "enterprise");
            await using (var command = Database.Owner.CreateCommand(
                "insert into control.tenant_limits (tenant_id, user_requests_per_minute) values ($1, 1000000)"))
            {
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
                await command.ExecuteNonQueryAsync();
            }

            lock (tenants)
            {
                tenants.Add(new LoadTenant(tenant, TestKeys.Token(tenant.Id, "u1")));
            }
        });
        return tenants;
    }

    /// <summary>Starts <paramref name="count"/> more nodes, side by side, and waits until each is ready.</summary>
    public async Task StartNodesAsync(int count)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => NodeProcess.StartAsync(_environment)));
        _nodes.AddRange(started);
    }

    /// <summary>Sets a tenant's limits through one node's platform API, as an operator would.</summary>
    public async Task LimitAsync(Tenant tenant, int requestsPerMinute, int burstSeconds)
    {
        using var platform = _nodes[0].Client(TestKeys.PlatformToken());
        using var response = await platform.PutAsync($"/api/admin/tenants/{tenant.Id}/limits",
            Http.Json(new { requests_per_minute = requestsPerMinute, burst_seconds = burstSeconds }));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Every node's log, for a failing test's message.</summary>
    public string Logs() => string.Join("\n", _nodes.Select(n => $"--- node on port {n.Port}\n{n.Log()}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Bouncer.DisposeAsync();
        await Redis.DisposeAsync();
        await Database.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private Dictionary<string, string> Settings(int instances)
    {
        var settings = NodeSettings.For(Database, Bouncer.AppConnection(Database.Name), _home);
        settings["Bulkhead__Limits__Enabled"] = "true";
        settings["Bulkhead__Limits__Redis"] = Redis.Endpoints;
        settings["Bulkhead__Limits__InstanceCount"] = instances.ToString(CultureInfo.InvariantCulture);
        // A busy two-core machine must not switch the limiter to its in-process fallback.
        settings["Bulkhead__Limits__RedisTimeout"] = "00:00:05";
        settings["Bulkhead__Audit__CheckpointDirectory"] = Checkpoints.Directory;
        settings["Bulkhead__Audit__SigningKeyFile"] = SigningKeyFile;
        settings["Bulkhead__Audit__CheckpointInterval"] = "00:00:02";
        return settings;
    }
}
