using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Tests.Storage;

/// <summary>
/// Automatic preparation of the runtime role's statements: on by default, off with Max Auto Prepare=0
/// (PgBouncer in transaction mode), and a prepared statement planned for one tenant's schema never reads
/// another's when the next transaction sets another search_path on the same connection.
/// </summary>
public sealed class AutoPrepareTests(StorageFixture fixture) : IClassFixture<StorageFixture>
{
    [Fact]
    public void a_runtime_connection_prepares_its_statements_by_default()
    {
        var builder = new NpgsqlConnectionStringBuilder(RuntimeConnection.Prepared("Host=db;Username=bulkhead_app"));

        Assert.Equal(RuntimeConnection.MaxAutoPrepare, builder.MaxAutoPrepare);
        Assert.Equal(RuntimeConnection.AutoPrepareMinUsages, builder.AutoPrepareMinUsages);
    }

    [Fact]
    public void max_auto_prepare_zero_in_the_connection_string_turns_preparation_off() =>
        Assert.False(RuntimeConnection.Prepares(RuntimeConnection.Prepared("Host=db;Username=bulkhead_app;Max Auto Prepare=0")));

    [Fact]
    public void the_operators_own_preparation_settings_are_kept() =>
        Assert.Equal(7, new NpgsqlConnectionStringBuilder(RuntimeConnection.Prepared("Host=db;maxautoprepare=7;Auto Prepare Min Usages=3")).MaxAutoPrepare);

    [Fact]
    public void a_database_tier_connection_inherits_the_switch_from_the_runtime_connection()
    {
        var credentials = new ServerCredentials("Host=db;Username=bulkhead_owner", "Host=db;Username=bulkhead_app;Max Auto Prepare=0");
        var tenantDatabase = credentials.Runtime(new ServerAddress("second", "db2", 5433), "tenant_db");

        Assert.False(RuntimeConnection.Prepares(RuntimeConnection.Prepared(tenantDatabase)));
    }

    [Fact]
    public async Task prepared_statements_on_one_connection_never_carry_one_tenants_schema_into_another_tenants_read()
    {
        var db = fixture.Database;
        var builder = new NpgsqlDataSourceBuilder(RuntimeConnection.Prepared(db.AppConnection));
        builder.ConnectionStringBuilder.MaxPoolSize = 1;
        await using var pool = builder.Build();
        var router = new PrimaryPlacementRouter(pool);
        var viewer = new Viewer("shared-sub", SeesWholeTenant: true);
        var tenants = new[] { await db.CreateTenantAsync(Tier.Pooled), await db.CreateTenantAsync(Tier.Schema), await db.CreateTenantAsync(Tier.Schema) };
        foreach (var tenant in tenants)
        {
            await using var session = await TenantSession.OpenAsync(tenant.Scope, router, default);
            await new ConversationStore(session, TestKeyRing.Keys).CreateAsync(new Viewer(viewer.Sub, false), tenant.Slug, default);
        }

        var foreign = 0;
        for (var i = 0; i < 60; i++)
        {
            var tenant = tenants[i % tenants.Length];
            await using var session = await TenantSession.OpenAsync(tenant.Scope, router, default);
            var page = await new ConversationStore(session, TestKeyRing.Keys).ListAsync(viewer, null, null, 20, default);
            foreign += page.Items.Count(c => c.Title != tenant.Slug) + (page.Items.Count == 1 ? 0 : 1);
        }

        await using var connection = await pool.OpenConnectionAsync();
        await using var prepared = new NpgsqlCommand("select count(*) from pg_prepared_statements where statement like '%from conversations c%'", connection);
        Assert.Equal(0, foreign);
        Assert.True((long)(await prepared.ExecuteScalarAsync())! >= 1, "the list statement was not prepared, so this test proved nothing");
    }
}
