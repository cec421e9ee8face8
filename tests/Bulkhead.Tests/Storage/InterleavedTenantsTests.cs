using System.Collections.Concurrent;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Tests.Storage;

/// <summary>
/// Many tenants over few pooled connections, with transactions broken off halfway: a connection must
/// never carry one tenant's context into another tenant's work.
/// </summary>
public sealed class InterleavedTenantsTests(StorageFixture fixture) : IClassFixture<StorageFixture>
{
    private const int Tenants = 20;
    private const int Operations = 10_000;

    [Fact]
    public async Task ten_thousand_interleaved_operations_of_twenty_tenants_over_four_connections_never_see_another_tenant()
    {
        var db = fixture.Database;
        var builder = new NpgsqlDataSourceBuilder(db.AppConnection);
        builder.ConnectionStringBuilder.MaxPoolSize = 4;
        await using var pool = builder.Build();
        var router = new PrimaryPlacementRouter(pool);
        var tenants = new List<Tenant>();
        for (var i = 0; i < Tenants; i++)
        {
            var tenant = await db.CreateTenantAsync();
            tenants.Add(tenant);
            await using var session = await TenantSession.OpenAsync(tenant.Scope, router, default);
            var store = new ConversationStore(session, TestKeyRing.Keys);
            for (var c = 0; c < 3; c++)
            {
                await store.CreateAsync(new Viewer("shared-sub", false), tenant.Id.ToString(), default);
            }
        }

        var wrongRows = 0;
        var injected = new ConcurrentDictionary<string, int>();
        var random = new Random(20261126);
        var plan = Enumerable.Range(0, Operations).Select(_ => (Tenant: tenants[random.Next(Tenants)], Kind: random.Next(6))).ToArray();

        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (step, ct) =>
        {
            var (tenant, kind) = step;
            await RunStepAsync(tenant, kind, ct);

            // Whatever happened above, a raw read on whatever connection comes next must see nothing.
            await using var bare = await pool.OpenConnectionAsync(ct);
            await using var probe = new NpgsqlCommand("select count(*) from app.conversations", bare);
            if ((long)(await probe.ExecuteScalarAsync(ct))! != 0)
            {
                Interlocked.Increment(ref wrongRows);
            }
        });

        async Task RunStepAsync(Tenant tenant, int kind, CancellationToken ct)
        {
            await using var session = await TenantSession.OpenAsync(tenant.Scope, router, ct);
            try
            {
                switch (kind)
                {
                    case 0:
                        // A transaction abandoned after its first statement: disposed without commit.
                        await session.BeginTransactionAsync(ct);
                        await session.ExecuteAsync(ct, Sql.Command("update conversations set title = title where tenant_id = $1", tenant.Id));
                        injected.AddOrUpdate("abandoned transaction", 1, (_, n) => n + 1);
                        break;
                    case 1:
                        // A statement that fails halfway through a transaction.
                        await session.BeginTransactionAsync(ct);
                        await session.ExecuteAsync(ct, Sql.Command("select 1 from conversations where tenant_id = $1", tenant.Id));
                        await session.ExecuteAsync(ct, Sql.Command("select 1 / 0"));
                        break;
                    case 2:
                        // A failing statement inside the very batch that sets the context.
                        await session.ExecuteAsync(ct, Sql.Command("select count(*) from conversations where tenant_id = $1", tenant.Id), Sql.Command("select 1 / 0"));
                        break;
                    default:
                        var listed = await new ConversationStore(session, TestKeyRing.Keys).ListAsync(new Viewer("shared-sub", false), null, null, 10, ct);
                        var foreign = listed.Items.Count(c => c.Title != tenant.Id.ToString());
                        if (foreign > 0 || listed.Items.Count != 3)
                        {
                            Interlocked.Add(ref wrongRows, Math.Max(foreign, 1));
                        }

                        break;
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DivisionByZero)
            {
                injected.AddOrUpdate("division by zero", 1, (_, n) => n + 1);
            }
        }

        Assert.Equal(0, wrongRows);
        Assert.True(injected.Values.Sum() > Operations / 3, $"only {injected.Values.Sum()} failures were injected");
    }
}
