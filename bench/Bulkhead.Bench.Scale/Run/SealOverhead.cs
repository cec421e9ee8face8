using System.Diagnostics;
using Bulkhead.Conversations;
using Bulkhead.Crypto;
using Bulkhead.Host.Crypto;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>A list read with its titles opened and without; the sealing a chat turn does, timed alone.</summary>
public sealed record SealResult(Latency Opened, Latency NotOpened, double RatioP50, double RatioP95, Latency SealTurn);

/// <summary>
/// Encryption's cost on the read path, alternating in one run on the same data: the list SQL
/// (<see cref="ConversationStore.ListCommand"/>) through <see cref="TenantSession"/> as the runtime role, its
/// page's titles opened with the tenant's cached keys (what the API does), against the same read that takes the
/// sealed bytes and opens nothing (what a server without encryption would do). The keys are unwrapped once
/// before the loop, as a running server has them. And the sealing of one chat turn (title, two messages,
/// blind-index terms) on its own, in-process.
/// </summary>
public static class SealOverhead
{
    public static async Task<SealResult> RunAsync(BenchCluster cluster, Tenant tenant, string sub, int iterations, CancellationToken ct)
    {
        var cipher = new KeyRing(KeyProviders.Create(new KeysOptions())).For(tenant.Id);
        await using var app = NpgsqlDataSource.Create(RuntimeConnection.Prepared(cluster.App()));
        var router = new PrimaryPlacementRouter(app);
        var viewer = new Viewer(sub, SeesWholeTenant: false);

        async Task<int> ListAsync(bool open)
        {
            await using var session = await TenantSession.OpenAsync(tenant.Scope, router, ct);
            await using var reader = await session.ReadAsync(ct, ConversationStore.ListCommand(tenant.Id, viewer, null, null, 21));
            var characters = 0;
            while (await reader.ReadAsync(ct))
            {
                var title = reader.GetFieldValue<byte[]>(2);
                characters += open ? cipher.Open(ConversationStore.TitleField(reader.GetGuid(0), reader.GetString(5)), title).Length : title.Length;
            }

            return characters;
        }

        if (await ListAsync(true) == 0)
        {
            throw new InvalidOperationException($"the list of {tenant.Slug} for sub {sub} is empty");
        }

        var (opened, notOpened) = (new List<double>(iterations), new List<double>(iterations));
        for (var i = 0; i < iterations + (iterations / 10); i++)
        {
            foreach (var open in i % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var started = Stopwatch.GetTimestamp();
                await ListAsync(open);
                if (i >= iterations / 10)
                {
                    (open ? opened : notOpened).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }

        var turns = new List<double>(iterations);
        var owner = sub;
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var conversation = Guid.CreateVersion7();
            cipher.Seal(ConversationStore.TitleField(conversation, owner), "How do I reset my password?");
            cipher.Terms("How do I reset my password?");
            cipher.Seal(ConversationStore.ContentField(Guid.CreateVersion7(), owner), "How do I reset my password?");
            cipher.Seal(ConversationStore.ContentField(Guid.CreateVersion7(), owner), "Open Settings, then Security, then choose Reset password.");
            turns.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var (a, b) = (Latency.Of(opened), Latency.Of(notOpened));
        return new SealResult(a, b, a.P50Ms / b.P50Ms, a.P95Ms / b.P95Ms, Latency.Of(turns.Skip(iterations / 10)));
    }
}
