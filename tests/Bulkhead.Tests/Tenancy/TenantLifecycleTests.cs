using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Tenancy;

/// <summary>Creating, suspending and deleting tenants in every tier, through the platform API.</summary>
public sealed class TenantLifecycleTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData("pooled")]
    [InlineData("schema")]
    [InlineData("database")]
    public async Task a_tenant_created_suspended_resumed_and_deleted_in_each_tier_leaves_nothing_behind(string tier)
    {
        if (tier == "database")
        {
            await api.Database.EnsureSecondServerAsync();
        }

        using var platform = api.Server.Client(TestKeys.PlatformToken());
        var slug = $"life-{tier}-{Guid.NewGuid().ToString("N")[..6]}";
        var created = await platform.PostAsJsonAsync("/api/admin/tenants",
            new { slug, name = "Lifecycle", plan = "premium", tier, server = tier == "database" ? TestDatabase.SecondServer : null });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tenant = await created.ReadJsonAsync();
        var id = tenant["id"]!.GetValue<Guid>();
        Assert.Equal(tier, tenant["tier"]!.GetValue<string>());

        // Usable as soon as the call returns.
        using var member = api.Server.Client(TestKeys.Token(id, "someone"));
        var conversation = await member.CreateConversationAsync("to be offboarded");
        Assert.Equal(HttpStatusCode.Created, (await member.PostAsync($"/api/conversations/{conversation}/messages", Http.Json(new { content = "hello" }))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await platform.PatchAsJsonAsync($"/api/admin/tenants/{id}", new { status = "suspended" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await platform.PatchAsJsonAsync($"/api/admin/tenants/{id}", new { status = "active" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/conversations")).StatusCode);

        var deleted = await platform.DeleteAsync($"/api/admin/tenants/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var report = await deleted.ReadJsonAsync();
        Assert.True(report["before"]!["conversations"]!.GetValue<long>() >= 1);
        Assert.True(report["before"]!["messages"]!.GetValue<long>() >= 1);
        Assert.All(report["after"]!.AsObject(), count => Assert.Equal(0, count.Value!.GetValue<long>()));

        Assert.Equal(HttpStatusCode.Unauthorized, (await member.GetAsync("/api/conversations")).StatusCode);
        Assert.Equal(0L, await api.Database.ScalarAsync<long>(api.Database.Owner,
            "select (select count(*) from app.users where tenant_id = $1) + (select count(*) from app.conversations where tenant_id = $1) + (select count(*) from app.messages where tenant_id = $1)", id));
        Assert.False(await api.Database.ScalarAsync<bool>(api.Database.Owner, "select exists (select 1 from pg_namespace where nspname = $1)", TenantProvisioner.SchemaFor(id)));
        await using (var second = Npgsql.NpgsqlDataSource.Create(TestCluster.SecondServerSuperuser))
        {
            Assert.False(await api.Database.ScalarAsync<bool>(second, "select exists (select 1 from pg_database where datname = $1)", TenantProvisioner.DatabaseFor(id)));
        }

        Assert.Equal("deleted", await api.Database.ScalarAsync<string>(api.Database.Owner, "select status from control.tenants where id = $1", id));
        Assert.Equal("created suspended resumed deleted", await api.Database.ScalarAsync<string>(api.Database.Owner,
            "select string_agg(kind, ' ' order by id) from control.tenant_events where tenant_id = $1", id));
    }

    [Fact]
    public async Task a_failed_database_tier_creation_leaves_no_catalog_row_and_no_database()
    {
        await api.Database.EnsureSecondServerAsync();
        // A database that already exists under the name the next tenant would get is impossible to
        // predict, so break creation another way: an unknown server fails before anything is written.
        using var platform = api.Server.Client(TestKeys.PlatformToken());
        var slug = "broken-" + Guid.NewGuid().ToString("N")[..6];

        var response = await platform.PostAsJsonAsync("/api/admin/tenants", new { slug, name = "Broken", plan = "basic", tier = "database", server = "nowhere" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0L, await api.Database.ScalarAsync<long>(api.Database.Owner, "select count(*) from control.tenants where slug = $1", slug));
    }

    [Fact]
    public async Task a_schema_tier_creation_that_fails_halfway_rolls_back_the_schema_and_the_catalog_row()
    {
        // Fail the tenant migration after its first table, as a disk or a bug might.
        await api.Database.SuperuserAsync("""
            create function fail_index() returns event_trigger language plpgsql as $$
            begin raise exception 'injected failure'; end $$;
            create event trigger fail_index on ddl_command_start when tag in ('CREATE INDEX') execute function fail_index();
            """);
        var slug = "half-" + Guid.NewGuid().ToString("N")[..6];
        var schemasBefore = await api.Database.ScalarAsync<long>(api.Database.Owner, "select count(*) from pg_namespace where nspname like 't\\_%'");
        try
        {
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.Database.CreateTenantAsync(Tier.Schema, slug: slug));
        }
        finally
        {
            await api.Database.SuperuserAsync("drop event trigger fail_index; drop function fail_index()");
        }

        Assert.Equal(0L, await api.Database.ScalarAsync<long>(api.Database.Owner, "select count(*) from control.tenants where slug = $1", slug));
        Assert.Equal(schemasBefore, await api.Database.ScalarAsync<long>(api.Database.Owner, "select count(*) from pg_namespace where nspname like 't\\_%'"));
    }

    [Fact]
    public async Task a_database_tenant_left_provisioning_by_a_crash_is_refused_and_removed_by_delete()
    {
        // What a process killed after writing the catalog row and before creating the database leaves.
        await api.Database.EnsureSecondServerAsync();
        var id = Guid.CreateVersion7();
        var slug = "crashed-" + Guid.NewGuid().ToString("N")[..6];
        var placement = new Placement(Tier.Database, TestDatabase.SecondServer, TenantProvisioner.DatabaseFor(id), Placement.SharedSchema);
        await using (var connection = await api.Database.Owner.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await TenantCatalog.InsertAsync(connection, transaction, id, slug, "Crashed", "basic", TenantStatus.Provisioning, placement, default);
            await transaction.CommitAsync();
        }

        using var member = api.Server.Client(TestKeys.Token(id, "early"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.GetAsync("/api/conversations")).StatusCode);

        var tenant = (await api.Database.Catalog.FindAsync(id, default))!;
        var report = (await api.Database.Provisioner.DeleteAsync(tenant.Id, default))!;

        Assert.Empty(report.Before);
        Assert.Equal("deleted", await api.Database.ScalarAsync<string>(api.Database.Owner, "select status from control.tenants where id = $1", id));
        await using var second = Npgsql.NpgsqlDataSource.Create(TestCluster.SecondServerSuperuser);
        Assert.False(await api.Database.ScalarAsync<bool>(second, "select exists (select 1 from pg_database where datname = $1)", placement.Database!));
    }

    [Fact]
    public async Task platform_tokens_manage_tenants_but_tenant_tokens_cannot()
    {
        var tenant = await api.Database.CreateTenantAsync();
        using var admin = api.Server.Client(TestKeys.Token(tenant.Id, "boss", "admin"));
        using var platform = api.Server.Client(TestKeys.PlatformToken());

        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/admin/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.GetAsync("/api/conversations")).StatusCode);
        var listed = await platform.GetFromJsonAsync<JsonArray>("/api/admin/tenants");
        Assert.Contains(listed!, t => t!["slug"]!.GetValue<string>() == tenant.Slug);
    }
}
