using System.Net;
using System.Text.Json.Nodes;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Tests.Isolation;

/// <summary>
/// Transaction pooling is safe by construction: the tenant context lives in the transaction, so a server
/// connection that PgBouncer hands from one tenant's transaction to another's carries nothing over. Proved
/// under load: many tenants' requests interleaved on two server connections, while other clients of the
/// runtime role fail and cancel in the middle of their transactions on the same connections.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TransactionPoolingTests
{
    private const int Rounds = 8;

    [Fact]
    public async Task through_pgbouncer_in_transaction_mode_no_response_ever_carries_another_tenants_row()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var bouncer = await TestPgBouncer.StartAsync(poolSize: 2);
        var tenants = new List<Tenant>();
        for (var i = 0; i < 10; i++)
        {
            tenants.Add(await database.CreateTenantAsync(i % 3 == 2 ? Tier.Schema : Tier.Pooled));
        }

        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Bulkhead:DatabaseConnection"] = bouncer.AppConnection(database.Name),
        });

        // Each tenant's canary: a row whose title names the tenant. Every title of a tenant starts with its marker.
        foreach (var tenant in tenants)
        {
            using var client = server.Client(TestKeys.Token(tenant.Id, "123"));
            await client.CreateConversationAsync(Marker(tenant) + "canary");
        }

        await using var saboteurs = NpgsqlDataSource.Create(bouncer.AppConnection(database.Name, maxPool: 4));
        using var stop = new CancellationTokenSource();
        var sabotage = Task.WhenAll(tenants.Take(3).Select((t, i) => SabotageAsync(saboteurs, t, i, stop.Token)));
        var leaks = new List<string>();
        try
        {
            await Task.WhenAll(tenants.Select(t => ClientAsync(server, t, tenants, leaks)));
        }
        finally
        {
            await stop.CancelAsync();
        }

        var sabotaged = await sabotage;
        Assert.Empty(leaks);
        Assert.All(sabotaged, n => Assert.True(n > 0, "a saboteur never got to fail a transaction"));

        // The pool really was two server connections, shared by everybody above.
        var serverConnections = await database.ScalarAsync<long>(database.Owner,
            "select count(*) from pg_stat_activity where datname = current_database() and usename = 'bulkhead_app'");
        Assert.InRange(serverConnections, 1, 2);
        foreach (var tenant in tenants)
        {
            using var client = server.Client(TestKeys.Token(tenant.Id, "123"));
            var all = await client.ListAllAsync("/api/conversations", 100);
            Assert.Equal(1 + Rounds, all.Count(c => c!["title"]!.GetValue<string>().StartsWith(Marker(tenant), StringComparison.Ordinal)));
            Assert.DoesNotContain(all, c => c!["title"]!.GetValue<string>().Contains("poisoned", StringComparison.Ordinal));
        }
    }

    private static string Marker(Tenant tenant) => $"own:{tenant.Id:N}:";

    /// <summary>Creates, lists and reads, with some requests abandoned mid-flight; records every response that names another tenant.</summary>
    private static async Task ClientAsync(RunningServer server, Tenant tenant, List<Tenant> tenants, List<string> leaks)
    {
        using var client = server.Client(TestKeys.Token(tenant.Id, "123"));
        var others = tenants.Where(t => t.Id != tenant.Id).Select(Marker).ToArray();
        void Check(string what, string body)
        {
            if (others.Any(o => body.Contains(o, StringComparison.Ordinal)) || body.Contains("poisoned", StringComparison.Ordinal))
            {
                lock (leaks)
                {
                    leaks.Add($"{tenant.Id} {what}: {body}");
                }
            }
        }

        for (var round = 0; round < Rounds; round++)
        {
            var id = await client.CreateConversationAsync(Marker(tenant) + round);
            using var one = await client.GetAsync($"/api/conversations/{id}");
            var body = await one.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
            Assert.Equal(Marker(tenant) + round, JsonNode.Parse(body)!["title"]!.GetValue<string>());
            Check("get", body);

            using var list = await client.GetAsync("/api/conversations?limit=100");
            body = await list.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.All(JsonNode.Parse(body)!["items"]!.AsArray(), c => Assert.StartsWith(Marker(tenant), c!["title"]!.GetValue<string>(), StringComparison.Ordinal));
            Check("list", body);

            // A client that gives up mid-request: the server's transaction is cancelled wherever it was.
            using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(1 + (round * 7 % 40)));
            try
            {
                using var abandoned = await client.GetAsync("/api/conversations?limit=50", impatient.Token);
                Check("abandoned list", await abandoned.Content.ReadAsStringAsync(impatient.Token));
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// Another client of the runtime role on the same two server connections: it sets a tenant's context and
    /// writes inside a transaction, then fails it (an error, or a cancel in the middle of a statement).
    /// Returns how many transactions it broke.
    /// </summary>
    private static async Task<int> SabotageAsync(NpgsqlDataSource source, Tenant tenant, int style, CancellationToken stop)
    {
        var broken = 0;
        while (!stop.IsCancellationRequested)
        {
            await using var connection = await source.OpenConnectionAsync(CancellationToken.None);
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await using (var batch = new NpgsqlBatch(connection, transaction))
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("select set_config('app.tenant_id', $1, true), set_config('search_path', $2, true)")
                {
                    Parameters = { new() { Value = tenant.Id.ToString() }, new() { Value = tenant.Placement.Schema } },
                });
                batch.BatchCommands.Add(new NpgsqlBatchCommand("update conversations set title = 'poisoned' where tenant_id = $1::uuid")
                {
                    Parameters = { new() { Value = tenant.Id.ToString() } },
                });
                await batch.ExecuteNonQueryAsync(CancellationToken.None);
            }

            try
            {
                if (style % 2 == 0)
                {
                    await using var failing = new NpgsqlCommand("select 1 / 0", connection, transaction);
                    await failing.ExecuteScalarAsync(CancellationToken.None);
                }
                else
                {
                    using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
                    await using var sleeping = new NpgsqlCommand("select pg_sleep(5)", connection, transaction);
                    await sleeping.ExecuteScalarAsync(cancel.Token);
                }
            }
            catch (Exception e) when (e is PostgresException or OperationCanceledException)
            {
                broken++;
            }

            // The broken transaction is abandoned; disposing it rolls back what it wrote.
        }

        return broken;
    }
}
