using System.Diagnostics;
using Bulkhead.Audit;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Audit;

/// <summary>
/// The cost of auditing a read, measured in one run: the same conversation read through a session with
/// and without an audit actor, interleaved so both see the same machine. Prints the numbers for
/// docs/benchmarks.md ("Audit cost"); asserts only what was written, never a time.
/// </summary>
public sealed class AuditCostMeasurement(ITestOutputHelper output)
{
    private const int Reads = 2_000;

    [Fact]
    public async Task measure_the_latency_of_an_audited_read_against_an_unaudited_one()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tenant = await db.CreateTenantAsync(Tier.Pooled);
        var router = db.Router();
        var viewer = new Viewer("alice", SeesWholeTenant: false);
        var actor = new AuditActor("alice", "member", Guid.NewGuid().ToString(), "bench", "127.0.0.1", "GET /api/conversations/{id}", "conversations");
        Guid id;
        await using (var seed = await TenantSession.OpenAsync(tenant.Scope, router, CancellationToken.None))
        {
            id = (await new ConversationStore(seed, TestKeyRing.Keys).CreateAsync(viewer, "bench", CancellationToken.None)).Id;
        }

        var plain = new List<double>(Reads);
        var audited = new List<double>(Reads);
        for (var i = 0; i < Reads + 200; i++)
        {
            var withAudit = i % 2 == 0;
            var watch = Stopwatch.StartNew();
            await using (var session = await TenantSession.OpenAsync(tenant.Scope, router, withAudit ? actor : null, CancellationToken.None))
            {
                Assert.NotNull(await new ConversationStore(session, TestKeyRing.Keys).GetAsync(viewer, id, CancellationToken.None));
            }

            // The first 200 reads warm the pool and the JIT and are not counted.
            if (i >= 200)
            {
                (withAudit ? audited : plain).Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        output.WriteLine($"audit cost, {Reads / 2} reads each, interleaved, one connection pool, PostgreSQL on loopback");
        output.WriteLine($"unaudited read: {Summary(plain)}");
        output.WriteLine($"audited read:   {Summary(audited)}");
        Assert.Equal(Reads / 2 + 100, (await AuditEvents.ReadAsync(db, tenant)).Count);
        Assert.Equal(0, (await AuditEvents.VerifyAsync(db, tenant.Slug)).Code);
    }

    private static string Summary(List<double> ms)
    {
        ms.Sort();
        double At(double p) => ms[(int)Math.Min(ms.Count - 1, Math.Round(p * (ms.Count - 1)))];
        return $"mean {ms.Average():F3} ms, p50 {At(0.50):F3} ms, p95 {At(0.95):F3} ms, p99 {At(0.99):F3} ms";
    }
}
