using System.Collections.Concurrent;
using System.Diagnostics;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Storage;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Tenancy;

/// <summary>Migrations across every placement: many schemas, several databases, one failing placement.</summary>
public sealed class PlacementMigrationTests(StorageFixture fixture, ITestOutputHelper output) : IClassFixture<StorageFixture>
{
    // Fails wherever a table named "poison" exists, and is harmless everywhere else.
    private static readonly Migration Poisonable = new(9000, "test_poisonable", """
        do $$
        begin
            if to_regclass('poison') is not null then
                raise exception 'poisoned placement';
            end if;
        end
        $$;
        """);

    [Fact]
    public async Task two_hundred_schema_tenants_and_database_tenants_migrate_in_one_run_and_a_failed_placement_resumes()
    {
        var db = fixture.Database;
        var clock = Stopwatch.StartNew();
        var schemaTenants = new ConcurrentBag<Tenant>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, _) =>
            schemaTenants.Add(await db.CreateTenantAsync(Tier.Schema)));

        var created = clock.Elapsed;
        var databaseTenants = new List<Tenant>();
        for (var i = 0; i < 3; i++)
        {
            databaseTenants.Add(await db.CreateTenantAsync(Tier.Database));
        }

        var poisoned = schemaTenants.OrderBy(t => t.Slug, StringComparer.Ordinal).ElementAt(117);
        await db.ScalarAsync<object>(db.Owner, $"create table {poisoned.Placement.Schema}.poison (x int); select 1");
        var migrations = Migration.Load(MigrationSet.Tenant).Append(Poisonable).ToList();
        var migrator = new PlacementMigrator(db.Owners, migrations);

        clock.Restart();
        var first = await migrator.MigrateAsync(4, null, default);
        var migrated = clock.Elapsed;

        var failed = Assert.Single(first, o => o.Error is not null);
        Assert.Equal(poisoned.Slug, failed.Placement.Label);
        Assert.Contains("poisoned placement", failed.Error, StringComparison.Ordinal);
        Assert.Equal(2 + 200 + 3, first.Count);
        Assert.All(first.Where(o => o.Error is null && o.Placement.Set == MigrationSet.Tenant), o => Assert.Equal(9000, o.Version));

        await db.ScalarAsync<object>(db.Owner, $"drop table {poisoned.Placement.Schema}.poison; select 1");
        var second = await migrator.MigrateAsync(4, null, default);

        Assert.All(second, o => Assert.Null(o.Error));
        var resumed = Assert.Single(second, o => o.Applied > 0);
        Assert.Equal(poisoned.Slug, resumed.Placement.Label);
        Assert.Equal(1, resumed.Applied);
        var message = $"created 200 schema tenants (4 at a time) in {created.TotalSeconds:0.0}s; migrated 205 placements in {migrated.TotalSeconds:0.0}s";
        output.WriteLine(message);
        Console.WriteLine(message);
    }
}
