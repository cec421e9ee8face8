using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Tenancy;

/// <summary>Online moves between tiers: nothing lost or duplicated under writes, and a crash mid-copy is finished by a rerun.</summary>
public sealed class TenantMoveTests(ApiFixture api, ITestOutputHelper output) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData(Tier.Pooled, Tier.Schema)]
    [InlineData(Tier.Schema, Tier.Database)]
    [InlineData(Tier.Database, Tier.Pooled)]
    public async Task a_move_under_concurrent_writes_loses_and_duplicates_nothing(Tier from, Tier to)
    {
        var db = api.Database;
        await db.EnsureSecondServerAsync();
        var tenant = await db.CreateTenantAsync(from);
        var expected = new ConcurrentDictionary<Guid, string>();
        await using (var session = await TenantSession.OpenAsync(tenant.Scope, db.Router(), default))
        {
            var store = new ConversationStore(session, TestKeyRing.Keys);
            for (var i = 0; i < 300; i++)
            {
                var c = await store.CreateAsync(new Viewer($"user-{i % 7}", false), $"seed {i}", default);
                await store.AddMessageAsync(new Viewer($"user-{i % 7}", false), c.Id, "user", $"seed message {i}", default);
                expected[c.Id] = c.Title;
            }
        }

        using var writer = api.Server.Client(TestKeys.Token(tenant.Id, "writer"));
        using var stop = new CancellationTokenSource();
        var slowest = TimeSpan.Zero;
        var writes = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                // Every write lands: one sent during the switch waits in the write gate, one that resolved the
                // old placement is run again where the tenant lives now.
                var sent = System.Diagnostics.Stopwatch.StartNew();
                var response = await writer.PostAsync("/api/conversations", Http.Json(new { title = $"during move {n}" }));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                slowest = sent.Elapsed > slowest ? sent.Elapsed : slowest;
                var body = await response.ReadJsonAsync();
                Assert.True(expected.TryAdd(body["id"]!.GetValue<Guid>(), body["title"]!.GetValue<string>()));
            }
        });

        // The move starts once writes are landing, and writes go on until some that began after every
        // instance's cached placement expired have landed too (so they went to the new placement).
        await Eventually.UntilAsync(() => expected.Count > 320, TimeSpan.FromMinutes(1), "writes land before the move");
        var report = await new TenantMover(db.Owners, db.Provisioner, TimeProvider.System).MoveAsync(tenant.Id, to, to == Tier.Database ? TestDatabase.SecondServer : null, null, default);
        await Task.Delay(TenantDirectory.TimeToLive); // the cache's lifetime, not a guess at readiness
        var landed = expected.Count;
        await Eventually.UntilAsync(() => expected.Count > landed + 20, TimeSpan.FromMinutes(1), "writes land after the cached placement expired");
        await stop.CancelAsync();
        await writes;

        var moved = (await db.Catalog.FindAsync(tenant.Id, default))!;
        Assert.Equal(to, moved.Placement.Tier);
        using var admin = api.Server.Client(TestKeys.Token(tenant.Id, "auditor", "admin"));
        var listed = await admin.ListAllAsync("/api/conversations", 100);
        var ids = listed.Select(c => c["id"]!.GetValue<Guid>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(expected.Keys.OrderBy(k => k), ids.OrderBy(k => k));
        Assert.All(listed, c => Assert.Equal(expected[c["id"]!.GetValue<Guid>()], c["title"]!.GetValue<string>()));
        Assert.True(expected.Count > 300, "writes should have landed during the move");
        Assert.Equal(0L, (await db.Provisioner.CountAsync(tenant.Id, tenant.Placement, default)).Values.Sum());

        // A copy into a placement of the tenant's own rebuilds keys, indexes and foreign keys after the load:
        // exactly what the migrations make, as in the pooled schema.
        Assert.Equal(await KeysAndIndexesAsync(db.Owners, Placement.Pooled), await KeysAndIndexesAsync(db.Owners, moved.Placement));

        var line = $"{from} -> {to}: {report.Rows.Values.Sum()} rows, bulk copy {report.CopyTime.TotalMilliseconds:0} ms ({report.RowsPerSecond:0} rows/s), " +
                   $"writes paused {report.WritesBlocked.TotalMilliseconds:0} ms, {report.RowsSyncedDuringSwitch} rows caught up, slowest write {slowest.TotalMilliseconds:0} ms";
        output.WriteLine(line);
        Console.WriteLine(line);
    }

    [Fact]
    public async Task a_move_killed_mid_copy_and_rerun_ends_with_identical_contents_in_one_placement()
    {
        var db = api.Database;
        var tenant = await db.CreateTenantAsync(Tier.Pooled);
        foreach (var fill in new[]
        {
            "insert into app.users (tenant_id, id, sub) select $1, gen_random_uuid(), 'bulk-' || u from generate_series(1, 50) u",
            "insert into app.conversations (tenant_id, id, user_id, title) select u.tenant_id, gen_random_uuid(), u.id, '\\x00'::bytea || convert_to('bulk ' || c, 'UTF8') from app.users u, generate_series(1, 100) c where u.tenant_id = $1",
            "insert into app.messages (tenant_id, id, conversation_id, role, content) select c.tenant_id, gen_random_uuid(), c.id, 'user', '\\x00'::bytea || convert_to(repeat('payload ', 20) || m, 'UTF8') from app.conversations c, generate_series(1, 5) m where c.tenant_id = $1",
        })
        {
            await using var command = db.Owner.CreateCommand(fill);
            command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            await command.ExecuteNonQueryAsync();
        }

        var before = await ChecksumsAsync(db, tenant.Scope.Placement, tenant.Id);

        var (killed, log) = await RunMoveAsync(db, tenant.Id, killOn: "copying");
        Assert.True(killed, "the move should have been killed while copying: " + log);
        Assert.Equal(1L, await db.ScalarAsync<long>(db.Owner, "select count(*) from control.moves where tenant_id = $1", tenant.Id));
        var during = (await db.Catalog.FindAsync(tenant.Id, default))!;
        Assert.Equal(before, await ChecksumsAsync(db, during.Placement, tenant.Id));

        // An operator reruns the same command until it reports the move done; a rerun may first have to
        // wait out what the killed process left behind, so allow it a second try and print what happened.
        var reruns = new List<string>();
        for (var attempt = 0; attempt < 2 && !reruns.LastOrDefault("").Contains("\nmoved ", StringComparison.Ordinal); attempt++)
        {
            reruns.Add((await RunMoveAsync(db, tenant.Id, killOn: null)).Log);
        }

        output.WriteLine(string.Join("\n---\n", reruns));
        Assert.True(reruns[^1].Contains("\nmoved ", StringComparison.Ordinal), "the rerun should finish the move: " + string.Join("\n---\n", reruns));

        var after = (await db.Catalog.FindAsync(tenant.Id, default))!;
        Assert.Equal(Tier.Schema, after.Placement.Tier);
        Assert.Equal(before, await ChecksumsAsync(db, after.Placement, tenant.Id));
        Assert.Equal(0L, (await db.Provisioner.CountAsync(tenant.Id, Placement.Pooled, default)).Values.Sum());
        Assert.Equal(0L, await db.ScalarAsync<long>(db.Owner, "select count(*) from control.moves where tenant_id = $1", tenant.Id));
    }

    [Fact]
    public async Task a_move_into_the_pooled_tier_loads_without_row_triggers_and_refuses_a_dangling_reference()
    {
        var db = api.Database;
        Assert.True(await db.ScalarAsync<bool>(db.Owner, "select has_parameter_privilege('session_replication_role', 'SET')"),
            "bootstrap.sql should let the owner role load without the per-row foreign-key triggers");
        await using (var runtime = db.App.CreateCommand("set session_replication_role = replica"))
        {
            // The runtime role never may: its writes always pass every trigger.
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => runtime.ExecuteNonQueryAsync())).SqlState);
        }

        var tenant = await db.CreateTenantAsync(Tier.Schema);
        var schema = tenant.Scope.Placement.Schema;
        foreach (var fill in new[]
        {
            $"insert into {schema}.users (tenant_id, id, sub) select $1, gen_random_uuid(), 'ref-' || u from generate_series(1, 20) u",
            $"insert into {schema}.conversations (tenant_id, id, user_id, title) select u.tenant_id, gen_random_uuid(), u.id, '\\x00'::bytea from {schema}.users u, generate_series(1, 10) c where u.tenant_id = $1",
        })
        {
            await using var command = db.Owner.CreateCommand(fill);
            command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            await command.ExecuteNonQueryAsync();
        }

        // A conversation whose user does not exist, which only a superuser with the triggers off can make.
        var orphan = Guid.NewGuid();
        await db.SuperuserAsync($"set session_replication_role = replica; insert into {schema}.conversations (tenant_id, id, user_id, title) values ('{tenant.Id}', '{orphan}', gen_random_uuid(), '\\x00'::bytea)");
        var mover = new TenantMover(db.Owners, db.Provisioner, TimeProvider.System);
        var refused = await Assert.ThrowsAsync<TenantRuleException>(() => mover.MoveAsync(tenant.Id, Tier.Pooled, null, null, default));
        Assert.Contains("conversations", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Tier.Schema, (await db.Catalog.FindAsync(tenant.Id, default))!.Placement.Tier);
        Assert.Equal(0L, (await db.Provisioner.CountAsync(tenant.Id, Placement.Pooled, default)).Values.Sum());

        // Repaired, the same move runs: every row arrives, and the triggers are back for everyone after it.
        await db.SuperuserAsync($"delete from {schema}.conversations where id = '{orphan}'");
        var before = await ChecksumsAsync(db, tenant.Scope.Placement, tenant.Id);
        await mover.MoveAsync(tenant.Id, Tier.Pooled, null, null, default);
        var after = (await db.Catalog.FindAsync(tenant.Id, default))!;
        Assert.Equal(Tier.Pooled, after.Placement.Tier);
        Assert.Equal(before, await ChecksumsAsync(db, after.Placement, tenant.Id));
        await using var dangling = db.Owner.CreateCommand("insert into app.conversations (tenant_id, id, user_id, title) values ($1, gen_random_uuid(), gen_random_uuid(), '\\x00'::bytea)");
        dangling.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
        var rejected = await Assert.ThrowsAsync<PostgresException>(() => dangling.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, rejected.SqlState);
    }

    [Fact]
    public async Task a_tenant_purged_from_the_pooled_tier_left_its_dead_keys_in_the_shared_indexes()
    {
        var db = api.Database;
        var tenant = await db.CreateTenantAsync(Tier.Pooled);
        await using (var fill = db.Owner.CreateCommand("""
            with u as (insert into app.users (tenant_id, id, sub) select $1, gen_random_uuid(), 'vac-' || u from generate_series(1, 5) u returning tenant_id, id)
            insert into app.conversations (tenant_id, id, user_id, title) select u.tenant_id, gen_random_uuid(), u.id, '\x00'::bytea from u, generate_series(1, 20)
            """))
        {
            fill.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            await fill.ExecuteNonQueryAsync();
        }

        // Only a manual VACUUM counts here (autovacuum has a counter of its own), and nothing else in this
        // class runs one: the purge of the pooled placement at the end of the move must, of the two tables it
        // deleted rows from, and of no table the tenant had no row in (messages).
        const string Vacuums = "select coalesce(sum(vacuum_count), 0)::bigint from pg_stat_user_tables where schemaname = 'app' and relname = any($1)";
        string[] purged = ["users", "conversations"];
        string[] untouched = ["messages"];
        var before = (await db.ScalarAsync<long>(db.Owner, Vacuums, (object)purged), await db.ScalarAsync<long>(db.Owner, Vacuums, (object)untouched));
        await new TenantMover(db.Owners, db.Provisioner, TimeProvider.System).MoveAsync(tenant.Id, Tier.Schema, null, null, default);
        Assert.Equal(0L, (await db.Provisioner.CountAsync(tenant.Id, Placement.Pooled, default)).Values.Sum());
        Assert.Equal(before.Item1 + 2, await db.ScalarAsync<long>(db.Owner, Vacuums, (object)purged));
        Assert.Equal(before.Item2, await db.ScalarAsync<long>(db.Owner, Vacuums, (object)untouched));
    }

    private static async Task<string> ChecksumsAsync(TestDatabase db, Placement placement, Guid tenantId)
    {
        var source = await db.Owners.ForAsync(placement, default);
        await using var connection = await source.OpenConnectionAsync();
        var sums = new List<string>();
        foreach (var table in await TenantTables.ListAsync(connection, placement.Schema, default))
        {
            var copy = await TableCopy.DescribeAsync(connection, placement.Schema, table, default);
            var (rows, checksum) = await copy.ChecksumAsync(connection, placement.Schema, tenantId, default);
            sums.Add($"{table}:{rows}:{checksum}");
        }

        return string.Join(" ", sums);
    }

    // The real CLI in its own process, killed with SIGKILL when its progress shows the given phase.
    private static async Task<(bool Killed, string Log)> RunMoveAsync(TestDatabase db, Guid tenantId, string? killOn)
    {
        var host = typeof(Bulkhead.Host.Hosting.BulkheadApp).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [host, "tenants", "move", tenantId.ToString(), "--to", "schema"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["Bulkhead__OwnerConnection"] = db.OwnerConnection;
        start.Environment["Bulkhead__DatabaseConnection"] = db.AppConnection;
        start.Environment["BULKHEAD_HOME"] = Path.Combine(Path.GetTempPath(), "bulkhead-move-test");
        using var process = Process.Start(start)!;
        var log = new ConcurrentQueue<string>();
        var killed = false;
        var stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                log.Enqueue(line);
                if (killOn is not null && line.Contains(killOn, StringComparison.Ordinal) && !killed)
                {
                    killed = true;
                    process.Kill(entireProcessTree: true);
                }
            }
        });
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        await stderr;
        return (killed, string.Join("\n", log) + "\n" + stdout);
    }

    /// <summary>Every key, foreign key and index of a placement's schema, with the schema's name taken out.</summary>
    private static async Task<List<string>> KeysAndIndexesAsync(OwnerSources owners, Placement placement)
    {
        await using var connection = await (await owners.ForAsync(placement, default)).OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            select c.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
              from pg_constraint con
              join pg_class c on c.oid = con.conrelid
              join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = $1 and con.contype in ('p', 'u', 'f')
            union all
            select i.tablename || ' ' || i.indexname || ' ' || i.indexdef from pg_indexes i where i.schemaname = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = placement.Schema });
        var definitions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            definitions.Add(reader.GetString(0).Replace(placement.Schema + ".", "", StringComparison.Ordinal));
        }

        definitions.Sort(StringComparer.Ordinal);
        Assert.NotEmpty(definitions);
        return definitions;
    }
}
