using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>
/// <c>./bulkhead bench move [--rows 200000]</c>: one pooled tenant of that many rows (1 % users, the rest
/// conversations, as the seed shapes them) in a database of its own, moved to the schema tier and back
/// through the product's mover. Minutes, not the hour a 10 M-row seed takes.
/// </summary>
public static class MoveBench
{
    public const string Database = "bench_move";

    public static async Task<IReadOnlyList<MoveResult>> RunAsync(long rows, TextWriter log, CancellationToken ct)
    {
        var cluster = BenchCluster.FromEnvironment(Database);
        await cluster.RecreateAsync(ct);
        await using var owner = NpgsqlDataSource.Create(cluster.Owner());
        await using var owners = cluster.OwnerSources(owner);
        await new PlacementMigrator(owners).MigrateAsync(1, null, ct);
        var tenant = await new TenantCatalog(owner).CreateAsync("ops-move", "Benchmark tenant", "premium", ct);
        var users = Math.Max(1, rows / 100);
        log.WriteLine($"bench move: filling {tenant.Slug} with {users:N0} users and {rows - users:N0} conversations");
        foreach (var fill in new[]
        {
            "insert into app.users (tenant_id, id, sub) select $1, gen_random_uuid(), 'user-' || u from generate_series(1, $2) u",
            "insert into app.conversations (tenant_id, id, user_id, title) " +
            "select $1, gen_random_uuid(), u.id, '\\x00'::bytea || convert_to('conversation ' || c, 'UTF8') from app.users u, generate_series(1, $3::bigint / $2) c where u.tenant_id = $1",
            "vacuum analyze app.users, app.conversations",
        })
        {
            await using var command = owner.CreateCommand(fill);
            if (!fill.StartsWith("vacuum", StringComparison.Ordinal))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
                command.Parameters.Add(new NpgsqlParameter { Value = users });
                command.Parameters.Add(new NpgsqlParameter { Value = rows - users });
            }

            await command.ExecuteNonQueryAsync(ct);
        }

        return await new Operations(owners, log).MoveAsync(tenant, ct);
    }
}
