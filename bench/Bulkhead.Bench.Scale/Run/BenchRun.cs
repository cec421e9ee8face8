using System.Diagnostics;
using System.Text.Json;
using Bulkhead.Bench.Scale.Seed;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Bench.Scale.Run;

public sealed record DataSet(string Database, int Tenants, long Conversations, long Users, long Messages, IReadOnlyDictionary<string, long> TierTenantConversations, long BenchUserConversations, SeedReport? Seed);

public sealed record RoundTrips(string Tier, int Reads, double PerRead, double TenantDataPerRead, double ControlPlanePerRead, double OtherPerRead, double StatementsPerTenantRoundTrip, IReadOnlyList<string> Sample);

/// <summary>
/// Full stack (audited reads relaxed, the default), full stack with durable audited reads, full stack without
/// the rate limiter (what the limiter's Redis round trip costs), bare endpoint and the EF Core peer, in the
/// same rotating rounds; ratios of requests per second.
/// </summary>
public sealed record FullVsBare(LoadResult Full, LoadResult Durable, LoadResult Unlimited, LoadResult Bare, LoadResult Peer)
{
    public double Ratio => Full.RequestsPerSecond / Bare.RequestsPerSecond;

    public double PeerRatio => Full.RequestsPerSecond / Peer.RequestsPerSecond;

    public double DurableRatio => Durable.RequestsPerSecond / Bare.RequestsPerSecond;

    public double DurablePeerRatio => Durable.RequestsPerSecond / Peer.RequestsPerSecond;

    public double P50Ratio => Full.Latency.P50Ms / Bare.Latency.P50Ms;

    public double DurableP50Ratio => Durable.Latency.P50Ms / Bare.Latency.P50Ms;

    public double PeerP50Ratio => Full.Latency.P50Ms / Peer.Latency.P50Ms;
}

/// <summary>The same clients as users of one tenant, and spread over as many tenants, in rotating rounds.</summary>
public sealed record TenantSpread(LoadResult OneTenant, LoadResult ManyTenants, int Tenants)
{
    public double Ratio => OneTenant.RequestsPerSecond / ManyTenants.RequestsPerSecond;
}

/// <summary>From each event's statement to the commit of the block that sealed it, over the events of the load phases.</summary>
public sealed record SealerLag(long Events, long Unsealed, double P50Seconds, double P99Seconds, double MaxSeconds);

/// <summary>Reads of one tenant by several clients for as long as it moves to the schema tier and back.</summary>
public sealed record ReadsDuringMove(string Slug, long Conversations, LoadResult Reads);

public sealed record RunResult(
    string Command, Machine Machine, DataSet Data, bool Redis, LoadResult OneClient, LoadResult ManyClients, FullVsBare FullVsBare, FullVsBare OneClientComparison,
    TenantSpread Spread, SealerLag SealerLag, ReadsDuringMove ReadsDuringMove, IReadOnlyList<LoadResult> Tiers, IReadOnlyList<RoundTrips> RoundTrips, RlsResult Rls, RlsResult RlsUnprepared, SealResult Seal, DatabaseCostResult DatabaseCost, IReadOnlyList<CreateResult> Creates, MigrateResult Migrate,
    IReadOnlyList<MoveResult> Moves, double TotalSeconds, string LoadAverageAtEnd);

/// <summary>
/// <c>./bulkhead bench run</c>: every comparison runs both sides in the same run on the same data; the
/// result is printed as a table and written as JSON under bench/results/.
/// </summary>
public sealed class BenchRun(RunSettings settings, TextWriter output, TextWriter log)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var cluster = BenchCluster.FromEnvironment(settings.Database);
        SeedReport? seed = null;
        if (settings.Quick)
        {
            seed = (await new SeedLoader(cluster, log).RunAsync(RunSettings.QuickPlan, ct)).Report;
        }
        else if (!await cluster.DatabaseExistsAsync(ct))
        {
            throw new ArgumentException("no data set: run './bulkhead bench seed' first (or 'bench run --quick')");
        }

        await using var owner = NpgsqlDataSource.Create(cluster.Owner());
        await using var owners = cluster.OwnerSources(owner);
        var operations = new Operations(owners, log);
        await operations.CleanUpAsync(ct);
        var tenants = (await new TenantCatalog(owner).ListAsync(ct)).Where(t => t.Slug.StartsWith("bench-", StringComparison.Ordinal)).OrderBy(t => t.Slug, StringComparer.Ordinal).ToList();
        var giants = new Dictionary<string, Tenant>
        {
            ["pooled"] = tenants.First(t => t.Placement.Tier == Tier.Pooled),
            ["schema"] = tenants.First(t => t.Placement.Tier == Tier.Schema),
            ["database"] = tenants.First(t => t.Placement.Tier == Tier.Database),
        };
        var data = await DescribeAsync(cluster, owners, tenants, giants, seed, ct);
        var machine = Machine.Describe(await ScalarAsync<string>(owner, "select version()", ct));
        log.WriteLine($"bench: {data.Conversations:N0} conversations of {data.Tenants:N0} tenants in {data.Database}; user {SeedPlan.BenchSub} of {giants["pooled"].Slug} has {data.BenchUserConversations:N0}");

        // Generous per-tenant overrides (1M a minute, far above what two cores serve): the limiter decides every
        // request, so its cost is measured, but never refuses.
        await using (var limits = owner.CreateCommand("""
            insert into control.tenant_limits (tenant_id, requests_per_minute, user_requests_per_minute)
            select id, 1000000, 1000000 from control.tenants where slug like 'bench-%'
            on conflict (tenant_id) do update set requests_per_minute = excluded.requests_per_minute, user_requests_per_minute = excluded.user_requests_per_minute
            """))
        {
            await limits.ExecuteNonQueryAsync(ct);
        }

        var redis = Environment.GetEnvironmentVariable("BULKHEAD_BENCH_REDIS") is { Length: > 0 } r ? r : null;
        var keyFile = Path.Combine(Path.GetTempPath(), $"bulkhead-bench-key-{Environment.ProcessId}.pem");
        try
        {
            LoadResult oneClient, manyClients;
            FullVsBare fullVsBare, oneClientComparison;
            TenantSpread spread;
            SealerLag sealerLag;
            ReadsDuringMove duringMove;
            IReadOnlyList<MoveResult> moves;
            var tiers = new List<LoadResult>();
            var sub = SeedPlan.BenchSub;
            // The variants' own servers leave sealing to the main one, so that every side carries the same sealer.
            var durableReads = new Dictionary<string, string?> { ["Bulkhead:Audit:Reads"] = "Durable", ["Bulkhead:Audit:SealerEnabled"] = "false" };
            var noLimiter = new Dictionary<string, string?> { ["Bulkhead:Limits:Enabled"] = "false", ["Bulkhead:Audit:SealerEnabled"] = "false" };
            await using (var host = await BenchHost.StartAsync(cluster, cluster.App(), redis, (giants["pooled"].Id, sub), keyFile))
            await using (var durable = await BenchHost.StartAsync(cluster, cluster.App(), redis, (giants["pooled"].Id, sub), keyFile, durableReads))
            await using (var unlimited = await BenchHost.StartAsync(cluster, cluster.App(), redis, (giants["pooled"].Id, sub), keyFile, noLimiter))
            using (var driver = new LoadDriver(host.Address, Math.Max(settings.Clients, 4)))
            {
                const string Page = "/api/conversations?limit=20";
                var tokens = giants.ToDictionary(g => g.Key, g => host.MemberToken(g.Value.Id, sub));
                HttpRequestMessage Full() => LoadDriver.Get(Page, tokens["pooled"]);
                var durablePage = new Uri(durable.Address, Page).ToString();
                HttpRequestMessage Durable() => LoadDriver.Get(durablePage, tokens["pooled"]);
                var unlimitedPage = new Uri(unlimited.Address, Page).ToString();
                HttpRequestMessage Unlimited() => LoadDriver.Get(unlimitedPage, tokens["pooled"]);
                HttpRequestMessage Bare() => LoadDriver.Get("/bench/bare", null);
                var peerPage = host.Peer.Page.ToString();
                HttpRequestMessage Peer() => LoadDriver.Get(peerPage, tokens["pooled"]);

                // One rotation per round, so that no side always runs first (caches, the scheduler).
                async Task<LoadResult[]> RotateAsync(int clients, TimeSpan slice, params (string Name, Func<HttpRequestMessage> Request)[] sides)
                {
                    var rounds = sides.Select(_ => new List<LoadResult>()).ToArray();
                    for (var i = 0; i < settings.Rounds; i++)
                    {
                        for (var k = 0; k < sides.Length; k++)
                        {
                            var which = (i + k) % sides.Length;
                            rounds[which].Add(await driver.RunAsync(sides[which].Name, sides[which].Request, clients, slice, ct));
                        }
                    }

                    var clientsText = clients == 1 ? "1 client" : $"{clients} clients";
                    var merged = rounds.Select((r, k) => LoadResult.Merge($"{sides[k].Name}, {clientsText}", r)).ToArray();
                    foreach (var result in merged)
                    {
                        Report(result);
                    }

                    return merged;
                }

                async Task<FullVsBare> AlternateAsync(int clients, TimeSpan slice)
                {
                    var r = await RotateAsync(clients, slice, ("full stack", Full), ("full stack, durable reads", Durable), ("full stack, no rate limiter", Unlimited),
                        ("bare endpoint", Bare), ("EF Core peer", Peer));
                    return new FullVsBare(r[0], r[1], r[2], r[3], r[4]);
                }

                log.WriteLine("bench: warming up");
                await driver.RunAsync("warm-up", Full, settings.Clients, TimeSpan.FromSeconds(3), ct);
                await driver.RunAsync("warm-up", Durable, settings.Clients, TimeSpan.FromSeconds(2), ct);
                await driver.RunAsync("warm-up", Unlimited, settings.Clients, TimeSpan.FromSeconds(2), ct);
                await driver.RunAsync("warm-up", Bare, settings.Clients, TimeSpan.FromSeconds(2), ct);
                await driver.RunAsync("warm-up", Peer, settings.Clients, TimeSpan.FromSeconds(3), ct);

                var loadStarted = DateTimeOffset.UtcNow;
                oneClient = await driver.RunAsync($"GET {Page}, 1 client", Full, 1, settings.Phase, ct);
                Report(oneClient);
                manyClients = await driver.RunAsync($"GET {Page}, {settings.Clients} clients", Full, settings.Clients, settings.Phase, ct);
                Report(manyClients);

                var slice = settings.Phase / settings.Rounds;
                fullVsBare = await AlternateAsync(settings.Clients, slice);
                oneClientComparison = await AlternateAsync(1, slice);

                // The same number of clients as users of one tenant, then spread over as many tenants (each
                // the first user of one of the largest pooled tenants), in rotating rounds.
                var spreadOver = await LargestAsync(owner, tenants.Where(t => t.Placement.Tier == Tier.Pooled).ToList(), settings.Clients, ct);
                var users = Enumerable.Range(1, settings.Clients).Select(i => host.MemberToken(giants["pooled"].Id, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
                var firstUsers = spreadOver.Select(t => host.MemberToken(t.Id, "1")).ToList();
                var spreadRounds = await RotateAsync(settings.Clients, slice,
                    ($"one tenant ({giants["pooled"].Slug}), {settings.Clients} users", LoadDriver.RoundRobin(Page, users)),
                    ($"{spreadOver.Count} tenants, one user each", LoadDriver.RoundRobin(Page, firstUsers)));
                spread = new TenantSpread(spreadRounds[0], spreadRounds[1], spreadOver.Count);
                var loadEnded = DateTimeOffset.UtcNow;

                var tierRounds = giants.Keys.ToDictionary(k => k, _ => new List<LoadResult>());
                foreach (var tier in giants.Keys)
                {
                    await driver.RunAsync("warm-up", () => LoadDriver.Get(Page, tokens[tier]), 1, TimeSpan.FromSeconds(1), ct);
                }

                for (var i = 0; i < settings.Rounds; i++)
                {
                    foreach (var tier in giants.Keys)
                    {
                        tierRounds[tier].Add(await driver.RunAsync(tier, () => LoadDriver.Get(Page, tokens[tier]), 1, slice / 2, ct));
                    }
                }

                foreach (var (tier, rounds) in tierRounds)
                {
                    tiers.Add(LoadResult.Merge($"{tier} tier ({giants[tier].Slug}), 1 client", rounds));
                    Report(tiers[^1]);
                }

                sealerLag = await SealerLagAsync(owner, loadStarted, loadEnded, ct);

                // Reads keep working while a tenant moves: 4 clients read it until both moves have finished.
                var movable = tenants.Where(t => t.Placement.Tier == Tier.Pooled).ToList();
                var moveTenant = await NearestSizeAsync(owner, movable, settings.Quick ? 60_000 : 200_000, ct);
                var moveToken = host.MemberToken(moveTenant.Id, "1");
                var conversations = await CountAsync(owner, moveTenant, null, ct);
                log.WriteLine($"bench: moving {moveTenant.Slug} ({conversations:N0} conversations) to the schema tier and back while 4 clients read it");
                var moving = operations.MoveAsync(moveTenant, ct);
                var reads = await driver.RunAsync($"reads of {moveTenant.Slug} while it moves", () => LoadDriver.Get(Page, moveToken), 4, TimeSpan.FromMinutes(30), ct, until: moving);
                moves = await moving;
                Report(reads);
                duringMove = new ReadsDuringMove(moveTenant.Slug, conversations, reads);
            }

            var roundTrips = await CountRoundTripsAsync(cluster, redis, giants, sub, keyFile, ct);
            log.WriteLine("bench: RLS overhead (direct, alternating), statements prepared automatically, then not, each in a loop of its own");
            var (rls, rlsUnprepared) = await RlsOverhead.RunAsync(cluster, giants["pooled"], sub, settings.RlsIterations, ct);
            log.WriteLine($"  prepared: RLS p50 {rls.Rls.P50Ms:N3} ms vs owner {rls.NoRls.P50Ms:N3} ms: x{rls.RatioP50:N3}");
            log.WriteLine($"  not prepared: RLS p50 {rlsUnprepared.Rls.P50Ms:N3} ms vs owner {rlsUnprepared.NoRls.P50Ms:N3} ms: x{rlsUnprepared.RatioP50:N3}");
            log.WriteLine("bench: encryption overhead (direct, alternating): titles opened and not");
            var seal = await SealOverhead.RunAsync(cluster, giants["pooled"], sub, settings.RlsIterations, ct);
            log.WriteLine($"  list p50 {seal.Opened.P50Ms:N3} ms opened vs {seal.NotOpened.P50Ms:N3} ms not: x{seal.RatioP50:N3}; sealing a chat turn p50 {seal.SealTurn.P50Ms * 1000:N1} µs");

            log.WriteLine($"bench: what the database pays per read, layer by layer (direct, rotating rounds, 1 and {settings.Clients} connections)");
            var databaseCost = await DatabaseCost.RunAsync(cluster, giants["pooled"], sub, [1, settings.Clients], settings.Quick ? TimeSpan.FromSeconds(1.5) : TimeSpan.FromSeconds(3),
                settings.Rounds, ct);
            foreach (var round in databaseCost.Rounds)
            {
                log.WriteLine($"  {round.Name}, {round.Connections} connections: {round.ReadsPerSecond:N0} reads/s, p50 {round.Latency.P50Ms:N3} ms");
            }

            log.WriteLine("bench: operations");
            var creates = await operations.CreateTenantsAsync(settings.CreatesPerTier, ct);
            var migrate = await operations.MigrateSchemaTenantsAsync(settings.SchemaTenants, parallel: 4, ct);
            await operations.CleanUpAsync(ct);

            var command = settings.Quick ? "./bulkhead bench run --quick" : "./bulkhead bench run";
            var result = new RunResult(command, machine, data, redis is not null, oneClient, manyClients, fullVsBare, oneClientComparison, spread, sealerLag, duringMove, tiers, roundTrips, rls, rlsUnprepared, seal, databaseCost, creates, migrate, moves, clock.Elapsed.TotalSeconds, Machine.ReadLoadAverage());
            var path = await WriteJsonAsync(result, ct);
            output.WriteLine();
            output.WriteLine(Markdown.Render(result));
            output.WriteLine();
            output.WriteLine($"JSON: {path}");
            return 0;
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    private void Report(LoadResult r) =>
        log.WriteLine($"  {r.Name}: {r.RequestsPerSecond:N0}/s, p50 {r.Latency.P50Ms:N2} ms, p99 {r.Latency.P99Ms:N2} ms ({r.Requests:N0} requests, {r.Errors} errors)");

    private async Task<IReadOnlyList<RoundTrips>> CountRoundTripsAsync(BenchCluster cluster, string? redis, IReadOnlyDictionary<string, Tenant> giants, string sub, string keyFile, CancellationToken ct)
    {
        log.WriteLine("bench: counting round trips");
        await using var proxy = new RoundTripProxy(cluster.Host, cluster.Port);
        // No sealer here: its transactions would be counted as the reads' round trips.
        await using var host = await BenchHost.StartAsync(cluster, cluster.App(proxy.Port), redis, (giants["pooled"].Id, sub), keyFile,
            new Dictionary<string, string?> { ["Bulkhead:Audit:SealerEnabled"] = "false" });
        using var driver = new LoadDriver(host.Address, 1);
        var results = new List<RoundTrips>();
        foreach (var (tier, tenant) in giants)
        {
            var token = host.MemberToken(tenant.Id, sub);
            HttpRequestMessage Read() => LoadDriver.Get("/api/conversations?limit=20", token);
            await driver.RunAsync("warm-up", Read, 1, TimeSpan.FromSeconds(30), ct, maxRequests: 20);
            proxy.Reset();
            var reads = await driver.RunAsync(tier, Read, 1, TimeSpan.FromSeconds(120), ct, maxRequests: settings.RoundTripReads);
            var exchanges = proxy.Snapshot();
            var n = (double)reads.Requests;
            var tenantData = exchanges.Where(e => e.IsTenantData).ToList();
            var sample = tenantData.FirstOrDefault()?.Statements ?? [];
            results.Add(new RoundTrips(tier, (int)reads.Requests, exchanges.Count / n, tenantData.Count / n, exchanges.Count(e => e.IsControlPlane) / n,
                exchanges.Count(e => !e.IsTenantData && !e.IsControlPlane) / n, tenantData.Count == 0 ? 0 : tenantData.Average(e => e.Executes), sample));
            log.WriteLine($"  {tier}: {results[^1].PerRead:N3} round trips per read ({results[^1].TenantDataPerRead:N3} tenant data with {results[^1].StatementsPerTenantRoundTrip:N1} statements each, {results[^1].ControlPlanePerRead:N3} control plane)");
        }

        return results;
    }

    private static async Task<DataSet> DescribeAsync(BenchCluster cluster, OwnerSources owners, IReadOnlyList<Tenant> tenants, IReadOnlyDictionary<string, Tenant> giants, SeedReport? seed, CancellationToken ct)
    {
        long conversations = 0, users = 0, messages = 0;
        foreach (var placement in tenants.Select(t => t.Placement).Distinct())
        {
            var source = await owners.ForAsync(placement, ct);
            var schema = Migrator.Quote(placement.Schema);
            conversations += await ScalarAsync<long>(source, $"select count(*) from {schema}.conversations", ct);
            users += await ScalarAsync<long>(source, $"select count(*) from {schema}.users", ct);
            messages += await ScalarAsync<long>(source, $"select count(*) from {schema}.messages", ct);
        }

        var perTier = new Dictionary<string, long>();
        foreach (var (tier, tenant) in giants)
        {
            perTier[$"{tier} ({tenant.Slug})"] = await CountAsync(await owners.ForAsync(tenant.Placement, ct), tenant, null, ct);
        }

        var pooled = giants["pooled"];
        var benchUser = await CountAsync(await owners.ForAsync(pooled.Placement, ct), pooled, SeedPlan.BenchSub, ct);
        return new DataSet(cluster.Database, tenants.Count, conversations, users, messages, perTier, benchUser, seed);
    }

    private static async Task<long> CountAsync(NpgsqlDataSource source, Tenant tenant, string? sub, CancellationToken ct)
    {
        var schema = Migrator.Quote(tenant.Placement.Schema);
        await using var command = source.CreateCommand(sub is null
            ? $"select count(*) from {schema}.conversations where tenant_id = $1"
            : $"select count(*) from {schema}.conversations c join {schema}.users u on u.tenant_id = c.tenant_id and u.id = c.user_id where c.tenant_id = $1 and u.sub = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
        if (sub is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = sub });
        }

        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<Tenant> NearestSizeAsync(NpgsqlDataSource owner, IReadOnlyList<Tenant> pooled, long target, CancellationToken ct)
    {
        await using var command = owner.CreateCommand("select tenant_id from app.conversations where tenant_id = any($1) group by tenant_id order by abs(count(*) - $2) limit 1");
        command.Parameters.Add(new NpgsqlParameter { Value = pooled.Select(t => t.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = target });
        var id = (Guid)(await command.ExecuteScalarAsync(ct))!;
        return pooled.First(t => t.Id == id);
    }

    private static async Task<IReadOnlyList<Tenant>> LargestAsync(NpgsqlDataSource owner, IReadOnlyList<Tenant> pooled, int count, CancellationToken ct)
    {
        await using var command = owner.CreateCommand("select tenant_id from app.conversations where tenant_id = any($1) group by tenant_id order by count(*) desc limit $2");
        command.Parameters.Add(new NpgsqlParameter { Value = pooled.Select(t => t.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = count });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids.Select(id => pooled.First(t => t.Id == id)).ToList();
    }

    /// <summary>
    /// The sealer's lag over the pooled events of the load phases: waits (up to a minute) until every one
    /// of them is sealed, then takes percentiles of block commit time minus statement time.
    /// </summary>
    private async Task<SealerLag> SealerLagAsync(NpgsqlDataSource owner, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        const string Sql = """
            select count(*), count(*) filter (where b.sealed_at is null),
                   coalesce(percentile_cont(0.5) within group (order by extract(epoch from b.sealed_at - e.occurred_at)), 'NaN'),
                   coalesce(percentile_cont(0.99) within group (order by extract(epoch from b.sealed_at - e.occurred_at)), 'NaN'),
                   coalesce(max(extract(epoch from b.sealed_at - e.occurred_at))::float8, 'NaN')
              from app.audit_events e
              left join app.audit_seals s on s.tenant_id = e.tenant_id and s.event_id = e.id
              left join app.audit_blocks b on b.tenant_id = s.tenant_id and b.block = s.block
             where e.occurred_at between $1 and $2
            """;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            await using var command = owner.CreateCommand(Sql);
            command.CommandTimeout = 0;
            command.Parameters.Add(new NpgsqlParameter { Value = from });
            command.Parameters.Add(new NpgsqlParameter { Value = to });
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var lag = new SealerLag(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4));
            if (lag.Unsealed == 0 || waited.Elapsed > TimeSpan.FromMinutes(1))
            {
                log.WriteLine($"  sealer lag over {lag.Events:N0} events: p50 {lag.P50Seconds:N2} s, p99 {lag.P99Seconds:N2} s, max {lag.MaxSeconds:N2} s; {lag.Unsealed:N0} not sealed");
                return lag;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource source, string sql, CancellationToken ct)
    {
        await using var command = source.CreateCommand(sql);
        command.CommandTimeout = 0;
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<string> WriteJsonAsync(RunResult result, CancellationToken ct)
    {
        var directory = Environment.GetEnvironmentVariable("BULKHEAD_BENCH_RESULTS") is { Length: > 0 } d ? d : Path.Combine("bench", "results");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{(result.Command.EndsWith("--quick", StringComparison.Ordinal) ? "quick" : "full")}.json");
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, result, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }, ct);
        return path;
    }
}
