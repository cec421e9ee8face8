using Bulkhead.Conversations;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tests.Storage;

/// <summary>The database layer on its own: what the runtime role can and cannot see or do.</summary>
public sealed class RowLevelSecurityTests(StorageFixture fixture) : IClassFixture<StorageFixture>
{
    private TestDatabase Db => fixture.Database;

    [Fact]
    public async Task without_tenant_context_the_runtime_role_sees_zero_rows()
    {
        var tenant = await Db.CreateTenantAsync();
        await using (var session = await TenantSession.OpenAsync(tenant.Scope, new PrimaryPlacementRouter(Db.App), default))
        {
            await new ConversationStore(session, TestKeyRing.Keys).CreateAsync(new Viewer("u1", false), "visible only with context", default);
        }

        foreach (var table in new[] { "users", "conversations", "messages" })
        {
            Assert.Equal(0L, await Db.ScalarAsync<long>(Db.App, $"select count(*) from app.{table}"));
        }

        Assert.True(await Db.ScalarAsync<long>(Db.Owner, "select count(*) from app.conversations") > 0);
    }

    [Fact]
    public async Task a_batch_after_a_committed_transaction_carries_the_tenant_context_again()
    {
        var tenant = await Db.CreateTenantAsync();
        await using var session = await TenantSession.OpenAsync(tenant.Scope, new PrimaryPlacementRouter(Db.App), default);
        var store = new ConversationStore(session, TestKeyRing.Keys);
        await session.BeginTransactionAsync(default);
        await store.CreateAsync(new Viewer("u1", false), "in a transaction", default);
        await session.CommitAsync(default);

        // Before the fix this batch went out without the context and saw nothing (failing closed).
        var page = await store.ListAsync(new Viewer("u1", false), null, null, 10, default);

        Assert.Equal("in a transaction", Assert.Single(page.Items).Title);
    }

    [Fact]
    public async Task an_empty_tenant_setting_fails_closed_instead_of_matching_everything()
    {
        var tenant = await Db.CreateTenantAsync();
        await using (var session = await TenantSession.OpenAsync(tenant.Scope, new PrimaryPlacementRouter(Db.App), default))
        {
            await new ConversationStore(session, TestKeyRing.Keys).CreateAsync(new Viewer("u1", false), "x", default);
        }

        await using var batch = Db.App.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select set_config('app.tenant_id', '', true)"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select count(*) from app.conversations"));
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        Assert.Equal(0L, reader.GetInt64(0));
    }

    [Fact]
    public async Task with_check_rejects_a_raw_insert_for_another_tenant()
    {
        var a = await Db.CreateTenantAsync();
        var b = await Db.CreateTenantAsync();
        await using var session = await TenantSession.OpenAsync(a.Scope, new PrimaryPlacementRouter(Db.App), default);

        var error = await Assert.ThrowsAsync<PostgresException>(() => session.ExecuteAsync(default,
            Sql.Command("insert into users (tenant_id, id, sub) values ($1, $2, 'intruder')", b.Id, Guid.CreateVersion7())));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains("row-level security", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(0L, await Db.ScalarAsync<long>(Db.Owner, "select count(*) from app.users where tenant_id = $1", b.Id));
    }

    [Fact]
    public async Task an_update_cannot_move_a_row_into_another_tenant()
    {
        var a = await Db.CreateTenantAsync();
        var b = await Db.CreateTenantAsync();
        await using var session = await TenantSession.OpenAsync(a.Scope, new PrimaryPlacementRouter(Db.App), default);
        await new ConversationStore(session, TestKeyRing.Keys).EnsureUserAsync("mover", default);

        var error = await Assert.ThrowsAsync<PostgresException>(() => session.ExecuteAsync(default,
            Sql.Command("update users set tenant_id = $2 where tenant_id = $1", a.Id, b.Id)));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Theory]
    [InlineData("alter table app.conversations disable row level security")]
    [InlineData("alter table app.conversations no force row level security")]
    [InlineData("drop policy tenant_isolation on app.conversations")]
    [InlineData("create policy open_door on app.conversations using (true)")]
    [InlineData("alter table app.conversations add column leak text")]
    [InlineData("set role bulkhead_owner")]
    [InlineData("set session_replication_role = replica")]
    [InlineData("set row_security = off; select count(*) from app.conversations")]
    [InlineData("create table app.sneaky (tenant_id uuid)")]
    [InlineData("truncate app.conversations")]
    public async Task the_runtime_role_cannot_weaken_isolation(string sql)
    {
        await using var command = Db.App.CreateCommand(sql);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal("42", error.SqlState[..2]);
    }

    [Fact]
    public async Task the_runtime_role_is_not_superuser_has_no_bypassrls_and_owns_nothing()
    {
        Assert.False(await Db.ScalarAsync<bool>(Db.App, "select rolsuper or rolbypassrls from pg_roles where rolname = current_user"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(Db.App, "select count(*) from pg_class where relowner = (select oid from pg_roles where rolname = current_user)"));
    }

    [Fact]
    public async Task tenant_context_does_not_outlive_its_batch_on_a_pooled_connection()
    {
        var tenant = await Db.CreateTenantAsync();
        var builder = new NpgsqlDataSourceBuilder(Db.AppConnection);
        builder.ConnectionStringBuilder.MaxPoolSize = 1;
        await using var single = builder.Build();
        await using (var session = await TenantSession.OpenAsync(tenant.Scope, new PrimaryPlacementRouter(single), default))
        {
            await new ConversationStore(session, TestKeyRing.Keys).EnsureUserAsync("someone", default);
        }

        // The same physical connection, reused from the pool of one.
        var setting = await Db.ScalarAsync<object>(single, "select coalesce(current_setting('app.tenant_id', true), '')");
        var path = await Db.ScalarAsync<string>(single, "select current_setting('search_path')");

        Assert.Equal("", setting);
        Assert.DoesNotContain("app", path.Split(',').Select(p => p.Trim()));
        Assert.Equal(0L, await Db.ScalarAsync<long>(single, "select count(*) from app.users"));
    }

    [Fact]
    public async Task the_list_query_uses_the_tenant_index_and_reads_the_setting_once_as_an_initplan()
    {
        var tenant = await Db.CreateTenantAsync();
        await using var session = await TenantSession.OpenAsync(tenant.Scope, new PrimaryPlacementRouter(Db.App), default);
        var store = new ConversationStore(session, TestKeyRing.Keys);
        await store.CreateAsync(new Viewer("reader", false), "mine", default);
        // Enough rows of other tenants that a sequential scan would be the wrong plan.
        await using (var fill = Db.Owner.CreateCommand("""
            insert into app.users (tenant_id, id, sub)
              select ('00000000-0000-7000-8000-' || lpad(to_hex(t), 12, '0'))::uuid, gen_random_uuid(), 'reader' from generate_series(1, 200) t;
            insert into app.conversations (tenant_id, id, user_id, title)
              select u.tenant_id, gen_random_uuid(), u.id, 'filler' from app.users u, generate_series(1, 100) where u.sub = 'reader';
            analyze app.users; analyze app.conversations;
            """))
        {
            await fill.ExecuteNonQueryAsync();
        }

        var list = ConversationStore.ListCommand(tenant.Id, new Viewer("reader", false), null, null, 21);
        list.CommandText = "explain " + list.CommandText;
        var plan = new List<string>();
        await using (var reader = await session.ReadAsync(default, list))
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join("\n", plan);
        Assert.Contains("conversations_by_user", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan on conversations", text, StringComparison.Ordinal);
        Assert.Contains("InitPlan", text, StringComparison.Ordinal);
        Assert.Matches(@"Index Cond: \(\(tenant_id = ", text);
    }
}
