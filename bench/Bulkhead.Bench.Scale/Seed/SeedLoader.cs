using System.Collections.Concurrent;
using System.Diagnostics;
using Bulkhead.Conversations;
using Bulkhead.Crypto;
using Bulkhead.Host.Crypto;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;
using NpgsqlTypes;

namespace Bulkhead.Bench.Scale.Seed;

/// <summary>What a seed made, for the report.</summary>
public sealed record SeedReport(int Tenants, long Users, long Conversations, long Messages, TimeSpan Load, TimeSpan Indexes, TimeSpan Total);

/// <summary>
/// Builds a data set from a <see cref="SeedPlan"/>: a fresh database, migrated; tenants created through
/// the product's catalog and provisioner (pooled, schema and database tiers); rows loaded with binary COPY
/// by two writers (one per core), with the big tables' keys and indexes rebuilt after the load, then
/// VACUUM ANALYZE so the planner and the visibility map see the data as production would.
/// </summary>
public sealed class SeedLoader(BenchCluster cluster, TextWriter log)
{
    private const int ChunkRows = 250_000;
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public async Task<(SeedReport Report, IReadOnlyDictionary<string, Tenant> Tenants)> RunAsync(SeedPlan plan, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        log.WriteLine($"seed: {plan.Tenants.Count:N0} tenants, {plan.Conversations:N0} conversations, {plan.Users:N0} users, {plan.Messages:N0} messages into database {cluster.Database}");
        log.WriteLine($"seed: largest tenants {string.Join(", ", plan.Tenants.Take(5).Select(t => $"{t.Slug} {t.Conversations:N0} ({TenantCatalog.Lower(t.Tier)})"))}; smallest {plan.Tenants[^1].Conversations:N0}");
        await cluster.RecreateAsync(ct);
        await using var owner = NpgsqlDataSource.Create(cluster.Owner());
        await using var owners = cluster.OwnerSources(owner);
        foreach (var outcome in await new PlacementMigrator(owners).MigrateAsync(2, null, ct))
        {
            if (outcome.Error is not null)
            {
                throw new InvalidOperationException($"migrating {outcome.Placement.Label} failed: {outcome.Error}");
            }
        }

        var tenants = await CreateTenantsAsync(plan, owners, ct);
        var placements = tenants.Values.Select(t => t.Placement).Distinct().ToList();
        var indexes = new Dictionary<Placement, BulkIndexes>();
        foreach (var placement in placements)
        {
            await using var connection = await (await owners.ForAsync(placement, ct)).OpenConnectionAsync(ct);
            indexes[placement] = await BulkIndexes.CaptureAsync(connection, placement.Schema, ["conversations", "messages"], ct);
            await indexes[placement].DropAsync(connection, ct);
        }

        var load = Stopwatch.StartNew();
        await using (var progress = new RowProgress(plan.Users + plan.Conversations + plan.Messages))
        {
            var users = plan.Tenants.ToDictionary(t => t.Slug, t => Enumerable.Range(0, t.Users).Select(_ => Guid.CreateVersion7(Now.AddDays(-400))).ToArray());
            progress.Stage("users");
            foreach (var group in plan.Tenants.GroupBy(t => tenants[t.Slug].Placement))
            {
                await using var connection = await (await owners.ForAsync(group.Key, ct)).OpenConnectionAsync(ct);
                await CopyUsersAsync(connection, group.Key.Schema, group.Select(t => (tenants[t.Slug].Id, users[t.Slug])), progress, ct);
            }

            progress.Stage("conversations");
            var chunks = new ConcurrentQueue<(SeedTenant Tenant, long From, long To)>(plan.Tenants
                .SelectMany(t => Enumerable.Range(0, (int)((t.Conversations + ChunkRows - 1) / ChunkRows))
                    .Select(c => (t, (long)c * ChunkRows, Math.Min(t.Conversations, (long)(c + 1) * ChunkRows)))));
            // Sealed as the server seals them, under the keys the benchmark's server uses (Bulkhead:Keys).
            var keys = new KeyRing(KeyProviders.Create(new KeysOptions()));
            var writers = Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount)).Select(_ => Task.Run(async () =>
            {
                while (chunks.TryDequeue(out var chunk))
                {
                    var tenant = tenants[chunk.Tenant.Slug];
                    await using var connection = await (await owners.ForAsync(tenant.Placement, ct)).OpenConnectionAsync(ct);
                    CopyConversations(connection, keys.For(tenant.Id), tenant.Placement.Schema, tenant.Id, users[chunk.Tenant.Slug], chunk.Tenant.Index, chunk.From, chunk.To, plan.MessagesPerConversation, progress, ct);
                }
            }, ct)).ToArray();
            await Task.WhenAll(writers);
            load.Stop();

            var rebuild = Stopwatch.StartNew();
            foreach (var placement in placements)
            {
                await using var connection = await (await owners.ForAsync(placement, ct)).OpenConnectionAsync(ct);
                await using (var settings = new NpgsqlCommand("set maintenance_work_mem = '1GB'; set max_parallel_maintenance_workers = 2", connection))
                {
                    await settings.ExecuteNonQueryAsync(ct);
                }

                await indexes[placement].RebuildAsync(connection, s => progress.Stage(s), ct);
                progress.Stage($"vacuum analyze {placement.Schema}");
                await using var vacuum = new NpgsqlCommand(
                    $"vacuum analyze {Migrator.Quote(placement.Schema)}.users, {Migrator.Quote(placement.Schema)}.conversations, {Migrator.Quote(placement.Schema)}.messages", connection)
                { CommandTimeout = 0 };
                await vacuum.ExecuteNonQueryAsync(ct);
            }

            rebuild.Stop();
            progress.Stage("done");
            var report = new SeedReport(plan.Tenants.Count, plan.Users, plan.Conversations, plan.Messages, load.Elapsed, rebuild.Elapsed, total.Elapsed);
            NpgsqlConnection.ClearAllPools();
            return (report, tenants);
        }
    }

    private static async Task<Dictionary<string, Tenant>> CreateTenantsAsync(SeedPlan plan, OwnerSources owners, CancellationToken ct)
    {
        var catalog = new TenantCatalog(owners.ControlPlane);
        var provisioner = new TenantProvisioner(owners);
        var tenants = new Dictionary<string, Tenant>(StringComparer.Ordinal);
        foreach (var t in plan.Tenants)
        {
            var name = $"Bench tenant {t.Index + 1}";
            tenants[t.Slug] = t.Tier == Tier.Pooled
                ? await catalog.CreateAsync(t.Slug, name, t.Plan, ct)
                : await provisioner.CreateAsync(t.Slug, name, t.Plan, t.Tier, null, ct);
        }

        return tenants;
    }

    // Subs are "1", "2", ...: the same subs in every tenant, like the seed's user "123".
    private static string Sub(int user) => (user + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task CopyUsersAsync(NpgsqlConnection connection, string schema, IEnumerable<(Guid Tenant, Guid[] Users)> tenants, RowProgress progress, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync($"copy {Migrator.Quote(schema)}.users (tenant_id, id, sub, created_at) from stdin (format binary)", ct);
        foreach (var (tenant, users) in tenants)
        {
            for (var i = 0; i < users.Length; i++)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(tenant, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(users[i], NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(Sub(i), NpgsqlDbType.Text, ct);
                await writer.WriteAsync(Now.AddDays(-400), NpgsqlDbType.TimestampTz, ct);
            }

            progress.Add(users.Length);
        }

        await writer.CompleteAsync(ct);
    }

    // Synchronous writes on a worker thread: per-value async calls would cost more than generating the row.
    private static void CopyConversations(
        NpgsqlConnection connection, ContentCipher cipher, string schema, Guid tenant, Guid[] users, int tenantIndex, long from, long to, int messagesPerConversation, RowProgress progress, CancellationToken ct)
    {
        var random = new Random(HashCode.Combine(tenantIndex, from));
        var ids = messagesPerConversation > 0 ? new (Guid Id, string Owner, DateTimeOffset At)[to - from] : null;
        using (var writer = connection.BeginBinaryImport($"copy {Migrator.Quote(schema)}.conversations (tenant_id, id, user_id, title, created_at, updated_at) from stdin (format binary)"))
        {
            for (var n = from; n < to; n++)
            {
                // Spread over the last year: UUIDv7 ids then sort by creation time, as the server makes them.
                var at = Now.AddSeconds(-random.NextDouble() * 365 * 24 * 3600);
                var id = Guid.CreateVersion7(at);
                writer.StartRow();
                writer.Write(tenant, NpgsqlDbType.Uuid);
                writer.Write(id, NpgsqlDbType.Uuid);
                var user = random.Next(users.Length);
                writer.Write(users[user], NpgsqlDbType.Uuid);
                var owner = Sub(user);
                writer.Write(cipher.Seal(ConversationStore.TitleField(id, owner), "Conversation " + n.ToString(System.Globalization.CultureInfo.InvariantCulture)), NpgsqlDbType.Bytea);
                writer.Write(at, NpgsqlDbType.TimestampTz);
                writer.Write(at, NpgsqlDbType.TimestampTz);
                if (ids is not null)
                {
                    ids[n - from] = (id, owner, at);
                }

                if ((n - from) % 10_000 == 9_999)
                {
                    progress.Add(10_000);
                    ct.ThrowIfCancellationRequested();
                }
            }

            writer.Complete();
            progress.Add((to - from) % 10_000);
        }

        if (ids is null)
        {
            return;
        }

        using var messages = connection.BeginBinaryImport($"copy {Migrator.Quote(schema)}.messages (tenant_id, id, conversation_id, role, content, created_at) from stdin (format binary)");
        long written = 0;
        foreach (var (conversation, owner, at) in ids)
        {
            for (var m = 0; m < messagesPerConversation; m++)
            {
                var messageAt = at.AddSeconds(m * 20);
                messages.StartRow();
                messages.Write(tenant, NpgsqlDbType.Uuid);
                var message = Guid.CreateVersion7(messageAt);
                messages.Write(message, NpgsqlDbType.Uuid);
                messages.Write(conversation, NpgsqlDbType.Uuid);
                messages.Write(m % 2 == 0 ? "user" : "assistant", NpgsqlDbType.Text);
                var content = m % 2 == 0 ? "How do I reset my password?" : "Open Settings, then Security, then choose Reset password.";
                messages.Write(cipher.Seal(ConversationStore.ContentField(message, owner), content), NpgsqlDbType.Bytea);
                messages.Write(messageAt, NpgsqlDbType.TimestampTz);
                if (++written % 10_000 == 0)
                {
                    progress.Add(10_000);
                    ct.ThrowIfCancellationRequested();
                }
            }
        }

        messages.Complete();
        progress.Add(written % 10_000);
    }
}
