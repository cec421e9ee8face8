using System.Net;
using Bulkhead.Tenancy;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Audit;

/// <summary>
/// Reads keep answering while their tenant moves (the trail is never behind the write gate), every read's
/// event ends up in the new placement, and the new placement's trail is a new segment chained to the old.
/// </summary>
public sealed class AuditMoveTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Tier.Pooled, Tier.Schema)]
    [InlineData(Tier.Pooled, Tier.Database)]
    public async Task a_move_with_reads_running_fails_none_of_them_and_the_trail_continues_in_a_new_segment(Tier from, Tier to)
    {
        await using var kit = await TrailKit.CreateAsync();
        await kit.Db.EnsureSecondServerAsync();
        await using var server = await RunningServer.StartAsync(kit.Db, kit.ServerSettings());
        var tenant = await kit.Db.CreateTenantAsync(from);
        using var reader = server.Client(TestKeys.Token(tenant.Id, "reader"));
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await reader.CreateConversationAsync($"c{i}"));
        }

        await WaitForAsync(kit, tenant, o => o.Contains("sealed in", StringComparison.Ordinal) && !o.Contains(" 0 block(s)", StringComparison.Ordinal), "the source trail to be sealed");

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var answered = 0;
        var reads = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var response = await reader.GetAsync(n % 2 == 0 ? $"/api/conversations/{ids[n % ids.Count]}" : "/api/conversations?limit=5");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref answered);
                }
                else
                {
                    var failure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    lock (failures)
                    {
                        failures.Add(failure);
                    }
                }
            }
        });

        var report = await new TenantMover(kit.Db.Owners, kit.Db.Provisioner, TimeProvider.System)
            .MoveAsync(tenant.Id, to, to == Tier.Database ? TestDatabase.SecondServer : null, null, CancellationToken.None);
        await Task.Delay(TenantDirectory.TimeToLive + TimeSpan.FromMilliseconds(500));
        await stop.CancelAsync();
        await reads;

        output.WriteLine($"{from} -> {to}: {answered} reads answered, {failures.Count} failed, writes paused {report.WritesBlocked.TotalMilliseconds:0} ms");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));
        Assert.True(answered > 20, $"only {answered} reads ran during the move");
        var moved = (await kit.Db.Catalog.FindAsync(tenant.Id, CancellationToken.None))!;
        Assert.Equal(to, moved.Placement.Tier);
        var events = await AuditEvents.ReadAsync(kit.Db, moved);
        // Every request's event, and the creation of the tenant's and the reader's keys.
        Assert.Equal(20 + answered, events.Count(e => e.Action != "key.create"));
        Assert.Equal(2, events.Count(e => e.Action == "key.create"));

        var verified = await WaitForAsync(kit, moved, o => o.Contains("; 0 event(s) not sealed yet", StringComparison.Ordinal), "the new placement's trail to be sealed");
        Assert.Contains("segment 2;", verified, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForAsync(TrailKit kit, Tenant tenant, Func<string, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (code, text) = await kit.VerifyAsync(tenant.Slug);
            Assert.True(code == 0, text);
            if (done(text))
            {
                return text;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}: {text}");
            await Task.Delay(100);
        }
    }
}
