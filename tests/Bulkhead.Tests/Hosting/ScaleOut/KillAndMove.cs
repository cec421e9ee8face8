using Bulkhead.Host.Audit;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Hosting.ScaleOut;

/// <summary>
/// The disruptive run: under load on every node, one node is killed with SIGKILL and started again (back
/// in rotation once its <c>/readyz</c> answers), while one tenant moves to another tier; the load goes on
/// until every tenant's trail has a signed checkpoint newer than the kill (the surviving nodes took the
/// sealing over) and the restarted node has served again.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class KillAndMove
{
    public const int KilledNode = 1;

    public static async Task<KillAndMoveResult> RunAsync(
        ScaleOutDeployment deployment, IReadOnlyList<LoadTenant> tenants, LoadTenant limited, LoadTenant moved, Tier movedTo, int workers, Action<string> progress)
    {
        using var key = CheckpointKeyFile.Load(deployment.SigningKeyFile);
        var checkpoints = deployment.Checkpoints;
        var load = new ScaleLoad(deployment.Nodes.Select(n => n.Address).ToList(), tenants, limited);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers, stop.Token);
        try
        {
            await Eventually.UntilAsync(() => tenants.All(t => !t.Conversations.IsEmpty) && load.Exchanges.Count >= 150, TimeSpan.FromSeconds(120),
                "every tenant has written, and the load has made 150 requests");
            progress($"{load.Now.TotalSeconds:0.0} s: {load.Exchanges.Count} requests; killing node {KilledNode}");
            var before = new Dictionary<Guid, long>();
            foreach (var t in tenants)
            {
                before[t.Tenant.Id] = (await checkpoints.NewestAsync(t.Tenant.Id, key, CancellationToken.None)).Newest?.Block ?? 0;
            }

            var killedAt = load.Now;
            var killedTime = DateTimeOffset.UtcNow;
            await deployment.Nodes[KilledNode].KillAsync();
            try
            {
                await deployment.Nodes[KilledNode].StartAgainAsync();
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException(e.Message + "\nPostgreSQL's sessions:\n" + await SessionsAsync(deployment.Database), e);
            }

            var readyAt = load.Now;
            progress($"{readyAt.TotalSeconds:0.0} s: node {KilledNode} ready again");
            await new TenantMover(deployment.Database.Owners, deployment.Database.Provisioner, TimeProvider.System)
                .MoveAsync(moved.Tenant.Id, movedTo, movedTo == Tier.Database ? TestDatabase.SecondServer : null, null, CancellationToken.None);
            progress($"{load.Now.TotalSeconds:0.0} s: tenant {moved.Tenant.Slug} moved to {movedTo}");

            await Eventually.UntilAsync(
                async () =>
                {
                    foreach (var t in tenants)
                    {
                        var newest = (await checkpoints.NewestAsync(t.Tenant.Id, key, CancellationToken.None)).Newest;
                        if (newest is null || newest.Block <= before[t.Tenant.Id] || newest.Time <= killedTime)
                        {
                            return false;
                        }
                    }

                    return load.Exchanges.Count(e => e.Node == KilledNode && e.Sent > readyAt && e.Status is >= 200 and < 300) >= 20;
                },
                TimeSpan.FromSeconds(120),
                "every tenant has a checkpoint of a newer block signed after the kill, and the restarted node served again");
            progress($"{load.Now.TotalSeconds:0.0} s: every tenant has a checkpoint after the kill");
            return new KillAndMoveResult(load, killedAt, readyAt, load.Now);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    /// <summary>What every session of the test database is doing, for the message of a node that did not get ready.</summary>
    private static async Task<string> SessionsAsync(TestDatabase database)
    {
        await using var command = database.Owner.CreateCommand(
            "select usename, state, coalesce(wait_event_type || ':' || wait_event, '-'), left(query, 80), count(*) " +
            "from pg_stat_activity where datname = current_database() group by 1, 2, 3, 4 order by 5 desc limit 30");
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add($"{reader.GetInt64(4)} × {reader.GetValue(0)} {reader.GetValue(1)} {reader.GetValue(2)} {reader.GetValue(3)}");
        }

        return string.Join('\n', lines);
    }
}

/// <summary>What the run saw; times are on the load's clock.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed record KillAndMoveResult(ScaleLoad Load, TimeSpan KilledAt, TimeSpan ReadyAt, TimeSpan Ended)
{
    /// <summary>Requests to the killed node that were in flight at the kill or sent before the balancer saw it gone.</summary>
    public bool InKillWindow(Exchange e) => e.Node == KillAndMove.KilledNode && e.Answered >= KilledAt && e.Sent <= ReadyAt;

    public string Summary()
    {
        var all = Load.Exchanges;
        var window = all.Where(InKillWindow).ToList();
        var lines = new List<string>
        {
            FormattableString.Invariant($"{all.Count} requests in {Ended.TotalSeconds:0.0} s ({all.Count / Ended.TotalSeconds:0} per second); node {KillAndMove.KilledNode} killed at {KilledAt.TotalSeconds:0.0} s, ready again at {ReadyAt.TotalSeconds:0.0} s"),
            $"killed node during the kill window: {window.Count(e => e.Status == 0)} connection failure(s), {window.Count(e => e.Status >= 500)} 5xx",
            $"failures elsewhere: {all.Count(e => e.Failed && !InKillWindow(e))}",
        };
        lines.AddRange(all.GroupBy(e => e.Node).OrderBy(g => g.Key).Select(g =>
            $"node {g.Key}: " + string.Join(", ", g.GroupBy(e => e.Status).OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "no response" : s.Key)} ×{s.Count()}"))));
        return string.Join('\n', lines);
    }
}
