using System.Globalization;
using System.Text;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>The run's figures as the Markdown tables docs/benchmarks.md shows, targets beside them.</summary>
public static class Markdown
{
    public static FormattableString MoveLine(MoveResult mv) =>
        $"| move {mv.Slug} to {mv.To.Split(' ')[0]} ({mv.Rows:N0} rows) | {mv.RowsPerSecond:N0} rows/s copying ({mv.CopySeconds:N1} s), writes held {mv.WritesBlockedSeconds:N2} s, total {mv.TotalSeconds:N1} s |";

    public static string Render(RunResult r)
    {
        var s = new StringBuilder();
        void Line(FormattableString text) => s.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        string Met(bool ok) => ok ? "met" : "missed";

        Line($"`{r.Command}`, {r.Machine.Date}; {r.Machine.Cpu}, {r.Machine.Cores} cores, {r.Machine.MemoryGiB} GiB; {r.Machine.Runtime}; {r.Machine.PostgreSql.Split(" on ")[0]}; rate limiter {(r.Redis ? "Redis" : "in process")}; load average at start {r.Machine.LoadAverage}, at end {r.LoadAverageAtEnd}; run took {r.TotalSeconds:N0} s.");
        Line($"Data: {r.Data.Conversations:N0} conversations, {r.Data.Users:N0} users, {r.Data.Messages:N0} messages, {r.Data.Tenants:N0} tenants; the user listed ({SeedUser}) has {r.Data.BenchUserConversations:N0} conversations in a tenant of {r.Data.TierTenantConversations.First().Value:N0}.");
        s.AppendLine();
        Line($"| measure | p50 ms | p95 ms | p99 ms | requests/s | target |");
        Line($"| --- | ---: | ---: | ---: | ---: | --- |");
        foreach (var (load, target) in new[] { (r.OneClient, $"p99 ≤ 5 ms: {Met(r.OneClient.Latency.P99Ms <= 5)}"), (r.ManyClients, "") }
                     .Concat(r.Tiers.Select(t => (t, ""))))
        {
            Line($"| {load.Name} | {load.Latency.P50Ms:N2} | {load.Latency.P95Ms:N2} | {load.Latency.P99Ms:N2} | {load.RequestsPerSecond:N0} | {target} |");
        }

        var many = r.FullVsBare;
        Line($"| {many.Full.Name} (reads relaxed, the default) | {many.Full.Latency.P50Ms:N2} | {many.Full.Latency.P95Ms:N2} | {many.Full.Latency.P99Ms:N2} | {many.Full.RequestsPerSecond:N0} | ≥ 0.8 of bare: {many.Ratio:N2}, {Met(many.Ratio >= 0.8)}; ≥ 1.0 of the peer: {many.PeerRatio:N2}, {Met(many.PeerRatio >= 1.0)} |");
        Line($"| {many.Durable.Name} | {many.Durable.Latency.P50Ms:N2} | {many.Durable.Latency.P95Ms:N2} | {many.Durable.Latency.P99Ms:N2} | {many.Durable.RequestsPerSecond:N0} | {many.DurableRatio:N2} of bare, {many.DurablePeerRatio:N2} of the peer |");
        Line($"| {many.Unlimited.Name} | {many.Unlimited.Latency.P50Ms:N2} | {many.Unlimited.Latency.P95Ms:N2} | {many.Unlimited.Latency.P99Ms:N2} | {many.Unlimited.RequestsPerSecond:N0} | {many.Unlimited.RequestsPerSecond / many.Bare.RequestsPerSecond:N2} of bare |");
        Line($"| {many.Bare.Name} | {many.Bare.Latency.P50Ms:N2} | {many.Bare.Latency.P95Ms:N2} | {many.Bare.Latency.P99Ms:N2} | {many.Bare.RequestsPerSecond:N0} | |");
        Line($"| {many.Peer.Name} | {many.Peer.Latency.P50Ms:N2} | {many.Peer.Latency.P95Ms:N2} | {many.Peer.Latency.P99Ms:N2} | {many.Peer.RequestsPerSecond:N0} | |");
        var one = r.OneClientComparison;
        Line($"| {one.Full.Name} (reads relaxed, the default) | {one.Full.Latency.P50Ms:N2} | {one.Full.Latency.P95Ms:N2} | {one.Full.Latency.P99Ms:N2} | {one.Full.RequestsPerSecond:N0} | p50 ≤ 2 × bare's: {one.P50Ratio:N2} ×, {Met(one.P50Ratio <= 2)}; {one.PeerP50Ratio:N2} × the peer's |");
        Line($"| {one.Durable.Name} | {one.Durable.Latency.P50Ms:N2} | {one.Durable.Latency.P95Ms:N2} | {one.Durable.Latency.P99Ms:N2} | {one.Durable.RequestsPerSecond:N0} | p50 {one.DurableP50Ratio:N2} × bare's |");
        Line($"| {one.Unlimited.Name} | {one.Unlimited.Latency.P50Ms:N2} | {one.Unlimited.Latency.P95Ms:N2} | {one.Unlimited.Latency.P99Ms:N2} | {one.Unlimited.RequestsPerSecond:N0} | p50 {one.Unlimited.Latency.P50Ms / one.Bare.Latency.P50Ms:N2} × bare's |");
        Line($"| {one.Bare.Name} | {one.Bare.Latency.P50Ms:N2} | {one.Bare.Latency.P95Ms:N2} | {one.Bare.Latency.P99Ms:N2} | {one.Bare.RequestsPerSecond:N0} | |");
        Line($"| {one.Peer.Name} | {one.Peer.Latency.P50Ms:N2} | {one.Peer.Latency.P95Ms:N2} | {one.Peer.Latency.P99Ms:N2} | {one.Peer.RequestsPerSecond:N0} | |");
        var spread = r.Spread;
        Line($"| {spread.OneTenant.Name} | {spread.OneTenant.Latency.P50Ms:N2} | {spread.OneTenant.Latency.P95Ms:N2} | {spread.OneTenant.Latency.P99Ms:N2} | {spread.OneTenant.RequestsPerSecond:N0} | ≥ 0.8 of {spread.Tenants} tenants: {spread.Ratio:N2}, {Met(spread.Ratio >= 0.8)} |");
        Line($"| {spread.ManyTenants.Name} | {spread.ManyTenants.Latency.P50Ms:N2} | {spread.ManyTenants.Latency.P95Ms:N2} | {spread.ManyTenants.Latency.P99Ms:N2} | {spread.ManyTenants.RequestsPerSecond:N0} | |");
        var move = r.ReadsDuringMove;
        Line($"| {move.Reads.Name} ({move.Conversations:N0} conversations, to the schema tier and back) | {move.Reads.Latency.P50Ms:N2} | {move.Reads.Latency.P95Ms:N2} | {move.Reads.Latency.P99Ms:N2} | {move.Reads.RequestsPerSecond:N0} | 0 failed: {move.Reads.Errors:N0} of {move.Reads.Requests:N0}, {Met(move.Reads.Errors == 0)} |");
        var failed = new[] { r.OneClient, r.ManyClients, many.Full, many.Durable, many.Unlimited, many.Bare, many.Peer, one.Full, one.Durable, one.Unlimited, one.Bare, one.Peer, spread.OneTenant, spread.ManyTenants }
            .Concat(r.Tiers).Where(l => l.Errors > 0).ToList();
        foreach (var load in failed)
        {
            Line($"**{load.Name}: {load.Errors:N0} of {load.Requests:N0} requests failed; its figures are not valid.**");
        }

        s.AppendLine();
        var lag = r.SealerLag;
        Line($"| sealer lag (block commit − event statement), events of the load phases | events | not sealed | p50 s | p99 s | max s | target |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        Line($"| pooled tier, every tenant read above | {lag.Events:N0} | {lag.Unsealed:N0} | {lag.P50Seconds:N2} | {lag.P99Seconds:N2} | {lag.MaxSeconds:N2} | p99 ≤ 2 s: {Met(lag.P99Seconds <= 2 && lag.Unsealed == 0)} |");

        s.AppendLine();
        Line($"| list SQL, 1 connection, alternating | p50 ms | p95 ms | p99 ms |");
        Line($"| --- | ---: | ---: | ---: |");
        foreach (var rls in new[] { r.Rls, r.RlsUnprepared })
        {
            var how = rls.Prepared ? "prepared automatically (the default)" : "not prepared (Max Auto Prepare=0)";
            Line($"| {how}: bulkhead_app under RLS (TenantSession: context + query, one round trip) | {rls.Rls.P50Ms:N3} | {rls.Rls.P95Ms:N3} | {rls.Rls.P99Ms:N3} |");
            Line($"| {how}: owner, no RLS, explicit tenant_id filter only | {rls.NoRls.P50Ms:N3} | {rls.NoRls.P95Ms:N3} | {rls.NoRls.P99Ms:N3} |");
            Line($"| {how}: owner, no RLS, same context batch | {rls.NoRlsWithContext.P50Ms:N3} | {rls.NoRlsWithContext.P95Ms:N3} | {rls.NoRlsWithContext.P99Ms:N3} |");
            Line($"| **{how}: ratio RLS / explicit filter** (target ≤ 1.05) | **{rls.RatioP50:N3}** | **{rls.RatioP95:N3}** | {Met(rls.RatioP50 <= 1.05 && rls.RatioP95 <= 1.05)} |");
            Line($"| {how}: ratio RLS / no RLS with the same context batch (the policy alone) | {rls.PolicyRatioP50:N3} | {rls.PolicyRatioP95:N3} | |");
        }

        s.AppendLine();
        Line($"| encryption, list SQL, 1 connection, alternating | p50 ms | p95 ms | p99 ms |");
        Line($"| --- | ---: | ---: | ---: |");
        Line($"| page of 20, titles opened (AES-256-GCM, keys cached) | {r.Seal.Opened.P50Ms:N3} | {r.Seal.Opened.P95Ms:N3} | {r.Seal.Opened.P99Ms:N3} |");
        Line($"| same page, sealed bytes not opened | {r.Seal.NotOpened.P50Ms:N3} | {r.Seal.NotOpened.P95Ms:N3} | {r.Seal.NotOpened.P99Ms:N3} |");
        Line($"| ratio opened / not opened (the SQL and the opening alone, no HTTP) | {r.Seal.RatioP50:N3} | {r.Seal.RatioP95:N3} | |");
        // The issue's figure: what opening costs a list read, against the list read's own p50 in this run.
        var openingShare = (r.Seal.Opened.P50Ms - r.Seal.NotOpened.P50Ms) / r.OneClientComparison.Full.Latency.P50Ms;
        Line($"| **opening's p50 cost / p50 of a list read** (GET /api/conversations, full stack, 1 client: {r.OneClientComparison.Full.Latency.P50Ms:N2} ms; target ≤ 5 %) | **{openingShare:P1}** | | {Met(openingShare <= 0.05)} |");
        Line($"| sealing one chat turn (title, 2 messages, index terms), in-process | {r.Seal.SealTurn.P50Ms:N4} | {r.Seal.SealTurn.P95Ms:N4} | {r.Seal.SealTurn.P99Ms:N4} |");

        s.AppendLine();
        Line($"| the list read below HTTP, each layer added (rotating rounds) | connections | reads/s | p50 ms | p95 ms | reads/s / the bare statement's |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in r.DatabaseCost.Rounds.GroupBy(x => x.Connections))
        {
            var bare = group.Single(x => x.Name == DatabaseCost.Bare).ReadsPerSecond;
            foreach (var way in group)
            {
                Line($"| {way.Name} | {way.Connections} | {way.ReadsPerSecond:N0} | {way.Latency.P50Ms:N3} | {way.Latency.P95Ms:N3} | {way.ReadsPerSecond / bare:N2} |");
            }
        }

        s.AppendLine();
        Line($"| round trips per GET /api/conversations (counted on the wire) | all | tenant data | statements in it | control plane | other | target |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var t in r.RoundTrips)
        {
            Line($"| {t.Tier} tier, {t.Reads:N0} reads | {t.PerRead:N3} | {t.TenantDataPerRead:N3} | {t.StatementsPerTenantRoundTrip:N1} | {t.ControlPlanePerRead:N3} | {t.OtherPerRead:N3} | one: {Met(Math.Abs(t.TenantDataPerRead - 1) < 0.005)} |");
        }

        s.AppendLine();
        Line($"| operation | figure |");
        Line($"| --- | --- |");
        foreach (var c in r.Creates)
        {
            Line($"| create a {c.Tier} tenant ({c.Tenants} times) | median {c.Latency.P50Ms:N0} ms, max {c.Latency.MaxMs:N0} ms |");
        }

        var m = r.Migrate;
        Line($"| migrate {m.SchemaTenants:N0} schema tenants ({m.Migration}, --parallel {m.Parallel}) | {m.MigrateSeconds:N1} s ({m.PerTenantMs:N1} ms per schema), {m.Failed} failed; then nothing pending: {m.NothingPendingSeconds:N1} s |");
        Line($"| make {m.SchemaTenants:N0} schema tenants one migration behind (setup) | {m.CreateSeconds:N1} s |");
        foreach (var mv in r.Moves)
        {
            Line(MoveLine(mv));
        }

        return s.ToString();
    }

    private const string SeedUser = "sub 123";
}
