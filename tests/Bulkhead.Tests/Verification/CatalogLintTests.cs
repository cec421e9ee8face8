using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Bulkhead.Verification;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Verification;

/// <summary>
/// The catalog lint passes on a freshly migrated database and fails, naming the object, for each rule
/// broken on purpose. Every test breaks its own database.
/// </summary>
public sealed class CatalogLintTests(ITestOutputHelper output)
{
    [Fact]
    public async Task a_freshly_migrated_database_with_tenant_rows_passes_every_rule()
    {
        await using var db = await TestDatabase.CreateAsync();
        await SeedConversationAsync(db);

        var report = await Lint.RunAsync(db);

        output.WriteLine(report.ToText());
        Assert.True(report.Passed, report.ToText());
        Assert.All(LintRules.Descriptions.Keys.Where(r => r != LintRules.Reachable), rule => Assert.Contains(report.Findings, f => f.Rule == rule));
        Assert.Contains(report.Findings, f => f.Rule == LintRules.TablesWithoutTenant && f.Object == "app.schema_migrations" && f.Detail.StartsWith("allowlisted: ", StringComparison.Ordinal));
        var inspected = Assert.Single(report.Databases);
        Assert.Equal(db.Name, inspected.Database);
        Assert.Equal("bulkhead_app", inspected.Role);
    }

    [Fact]
    public async Task a_new_table_without_row_level_security_fails_naming_it()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("""
            create table app.leaky_notes (tenant_id uuid not null, id uuid not null, body text, primary key (tenant_id, id));
            alter table app.leaky_notes owner to bulkhead_owner;
            grant select, insert on app.leaky_notes to bulkhead_app;
            insert into app.leaky_notes values (gen_random_uuid(), gen_random_uuid(), 'someone else''s');
            """);

        var report = await Lint.RunAsync(db);

        Assert.False(report.Passed);
        Assert.Contains(report.FailuresOf(LintRules.RowSecurity), f => f.StartsWith("app.leaky_notes: row-level security is not enabled", StringComparison.Ordinal));
        Assert.Contains(report.FailuresOf(LintRules.FailsClosed), f => f.StartsWith("app.leaky_notes: bulkhead_app sees rows", StringComparison.Ordinal));
        Assert.Contains(report.FailuresOf(LintRules.PolicyCoverage), f => f.StartsWith("app.leaky_notes:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task row_level_security_enabled_but_not_forced_fails_naming_the_table()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("alter table app.messages no force row level security");

        var report = await Lint.RunAsync(db);

        Assert.Contains("app.messages: row-level security is enabled but not forced: the table owner bypasses it", report.FailuresOf(LintRules.RowSecurity));
    }

    [Fact]
    public async Task a_second_permissive_policy_using_true_fails_naming_the_policy()
    {
        await using var db = await TestDatabase.CreateAsync();
        await SeedConversationAsync(db);
        await db.SuperuserAsync("create policy open_door on app.conversations for select using (true)");

        var report = await Lint.RunAsync(db);

        var failure = Assert.Single(report.FailuresOf(LintRules.Policies));
        Assert.StartsWith("app.conversations: policy \"open_door\" (SELECT) USING true is not bound to app.tenant_id", failure, StringComparison.Ordinal);
        Assert.Contains(report.FailuresOf(LintRules.FailsClosed), f => f.StartsWith("app.conversations: bulkhead_app sees rows without a tenant context", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_write_policy_with_check_true_fails_naming_the_policy()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("create policy write_anywhere on app.messages for insert with check (true)");

        var report = await Lint.RunAsync(db);

        Assert.Contains("app.messages: policy \"write_anywhere\" (INSERT) WITH CHECK true is not bound to app.tenant_id", report.FailuresOf(LintRules.Policies));
    }

    [Fact]
    public async Task a_policy_that_reads_the_setting_without_the_tenant_column_fails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("create policy any_context on app.users for select using (current_setting('app.tenant_id', true) is not null)");

        var report = await Lint.RunAsync(db);

        Assert.Contains(report.FailuresOf(LintRules.Policies), f => f.StartsWith("app.users: policy \"any_context\" (SELECT)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_restrictive_policy_or_a_canonical_policy_narrowed_further_passes()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("""
            create policy no_system_rows on app.messages as restrictive for select using (role <> 'system');
            create policy own_recent on app.conversations for select
                using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid) and created_at > now() - interval '1 year');
            """);

        var report = await Lint.RunAsync(db);

        Assert.True(report.Passed, report.ToText());
    }

    [Fact]
    public async Task a_runtime_role_with_bypassrls_fails_naming_the_role()
    {
        await using var db = await TestDatabase.CreateAsync();
        await SeedConversationAsync(db);
        await using var role = await Lint.CreateRoleAsync(db, "bypassrls");

        var report = await Lint.RunAsync(db, role.Source);

        Assert.Contains(report.FailuresOf(LintRules.RuntimeRole), f => f.StartsWith($"role {role.Name}: has BYPASSRLS", StringComparison.Ordinal));
        Assert.Contains(report.FailuresOf(LintRules.FailsClosed), f => f.StartsWith($"app.conversations: {role.Name} sees rows", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_runtime_role_that_can_become_a_bypassrls_role_fails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var powerful = await Lint.CreateRoleAsync(db, "bypassrls");
        await using var role = await Lint.CreateRoleAsync(db, "nobypassrls");
        await db.SuperuserAsync($"grant {powerful.Name} to {role.Name}");

        var report = await Lint.RunAsync(db, role.Source);

        Assert.Contains(report.FailuresOf(LintRules.RuntimeRole), f => f.Contains($"can become {powerful.Name}, which has BYPASSRLS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_runtime_role_that_owns_a_table_or_can_create_one_fails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var role = await Lint.CreateRoleAsync(db, "nobypassrls");
        await db.SuperuserAsync($"create table app.mine (k text primary key); alter table app.mine owner to {role.Name}; grant create on schema app to {role.Name}");

        var report = await Lint.RunAsync(db, role.Source);

        var failure = Assert.Single(report.FailuresOf(LintRules.RuntimeRole));
        Assert.Contains("owns table app.mine", failure, StringComparison.Ordinal);
        Assert.Contains("can create objects in schema app", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_runtime_role_that_can_create_temporary_tables_fails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var role = await Lint.CreateRoleAsync(db, "nobypassrls");
        var clean = await Lint.RunAsync(db, role.Source);
        Assert.Empty(clean.FailuresOf(LintRules.RuntimeRole));

        await db.SuperuserAsync($"grant temporary on database {db.Name} to {role.Name}");
        var report = await Lint.RunAsync(db, role.Source);

        Assert.Contains("can create temporary tables in " + db.Name, Assert.Single(report.FailuresOf(LintRules.RuntimeRole)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_runtime_role_that_can_switch_triggers_off_fails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var role = await Lint.CreateRoleAsync(db, "nobypassrls");
        await db.SuperuserAsync($"grant set on parameter session_replication_role to {role.Name}");
        try
        {
            var report = await Lint.RunAsync(db, role.Source);
            Assert.Contains("can set session_replication_role", Assert.Single(report.FailuresOf(LintRules.RuntimeRole)), StringComparison.Ordinal);
        }
        finally
        {
            await db.SuperuserAsync($"revoke set on parameter session_replication_role from {role.Name}");
        }
    }

    [Fact]
    public async Task a_runtime_role_that_can_rewrite_audit_rows_fails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("""
            create table app.audit_trail (tenant_id uuid not null, id uuid not null, entry text, primary key (tenant_id, id));
            alter table app.audit_trail owner to bulkhead_owner;
            alter table app.audit_trail enable row level security;
            alter table app.audit_trail force row level security;
            create policy tenant_isolation on app.audit_trail for all
                using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
            grant select, insert, update on app.audit_trail to bulkhead_app;
            """);

        var report = await Lint.RunAsync(db);

        Assert.Equal(["role bulkhead_app: can update the audit table app.audit_trail"], report.FailuresOf(LintRules.RuntimeRole));
        Assert.Equal(["app.audit_trail: bulkhead_app may also UPDATE (the migrator applies the rules: ./bulkhead migrate)"], report.FailuresOf(LintRules.Conventions));
        Assert.Equal(2, report.Failures.Count);
    }

    [Fact]
    public async Task a_tenant_table_without_the_write_gate_or_with_a_wider_grant_fails_naming_it()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("drop trigger tenant_write_gate on app.messages; grant truncate on app.conversations to bulkhead_app");

        var report = await Lint.RunAsync(db);

        Assert.Equal(
            [
                "app.conversations: bulkhead_app may also TRUNCATE (the migrator applies the rules: ./bulkhead migrate)",
                "app.messages: no tenant_write_gate trigger: writes are not fenced during a move (the migrator applies the rules: ./bulkhead migrate)",
            ],
            report.FailuresOf(LintRules.Conventions));
    }

    [Fact]
    public async Task a_primary_key_without_tenant_id_fails_naming_the_table_and_constraint()
    {
        await using var db = await TestDatabase.CreateAsync();
        await CreateIsolatedTableAsync(db, "app.tags", "tenant_id uuid not null, id uuid primary key, label text unique");

        var report = await Lint.RunAsync(db);

        var failure = Assert.Single(report.FailuresOf(LintRules.Keys));
        Assert.StartsWith("app.tags: ", failure, StringComparison.Ordinal);
        Assert.Contains("primary key tags_pkey (id) does not include tenant_id", failure, StringComparison.Ordinal);
        Assert.Contains("unique constraint tags_label_key (label) does not include tenant_id", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_foreign_key_that_does_not_match_tenant_id_fails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await CreateIsolatedTableAsync(db, "app.pins",
            "tenant_id uuid not null, id uuid not null, conversation_tenant uuid not null, conversation_id uuid not null, primary key (tenant_id, id), " +
            "constraint pins_conversation foreign key (conversation_tenant, conversation_id) references app.conversations (tenant_id, id)");

        var report = await Lint.RunAsync(db);

        Assert.Contains("app.pins: foreign key pins_conversation (conversation_tenant, conversation_id) does not include tenant_id", report.FailuresOf(LintRules.Keys));
    }

    [Fact]
    public async Task an_index_that_does_not_lead_with_tenant_id_fails_naming_it()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("create index conversations_by_title on app.conversations (title, tenant_id)");

        var report = await Lint.RunAsync(db);

        Assert.Equal(["app.conversations: index conversations_by_title does not lead with tenant_id"], report.FailuresOf(LintRules.Indexes));
    }

    [Fact]
    public async Task a_definer_view_fails_naming_it_and_an_invoker_view_passes()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("""
            create view app.all_titles as select tenant_id, title from app.conversations;
            create view app.my_titles with (security_invoker = true) as select tenant_id, title from app.conversations;
            """);

        var report = await Lint.RunAsync(db);

        Assert.Equal(["app.all_titles: view is not security_invoker: it reads with its owner's rights, not the caller's"], report.FailuresOf(LintRules.Views));
        Assert.Contains(report.Findings, f => f is { Rule: LintRules.Views, Object: "app.my_titles", Passed: true });
    }

    [Fact]
    public async Task a_materialized_view_the_runtime_role_can_read_fails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("create materialized view app.title_counts as select tenant_id, count(*) from app.conversations group by 1; grant select on app.title_counts to bulkhead_app");

        var report = await Lint.RunAsync(db);

        Assert.Contains(report.FailuresOf(LintRules.Views), f => f.StartsWith("app.title_counts: materialized view readable by bulkhead_app", StringComparison.Ordinal));
    }

    [Fact]
    public async Task security_definer_functions_are_listed_with_schema_and_search_path()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("""
            create schema private;
            create function private.safe_count() returns bigint language sql security definer set search_path = '' as 'select 1::bigint';
            create function app.count_everything() returns bigint language sql security definer as 'select count(*) from app.conversations';
            """);

        var report = await Lint.RunAsync(db);

        Assert.Contains(report.Findings, f => f is { Rule: LintRules.DefinerFunctions, Object: "private.safe_count()", Passed: true }
            && f.Detail == "SECURITY DEFINER in schema private, search_path '\"\"'");
        Assert.Equal(
            ["app.count_everything(): SECURITY DEFINER in schema app, search_path not set; must live in a private schema; must pin search_path to ''"],
            report.FailuresOf(LintRules.DefinerFunctions));
    }

    [Fact]
    public async Task a_table_without_tenant_id_in_a_tenant_schema_fails_unless_allowlisted()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("create table app.feature_flags (name text primary key, enabled boolean)");

        var report = await Lint.RunAsync(db);

        Assert.Equal(
            ["app.feature_flags: has no tenant_id column and is not on the allowlist (src/Bulkhead/Verification/allowlist.txt)"],
            report.FailuresOf(LintRules.TablesWithoutTenant));
    }

    [Fact]
    public async Task every_schema_placement_is_inspected_without_being_named()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tenant = await db.CreateTenantAsync();
        var schema = "t_" + Guid.NewGuid().ToString("N")[..8];
        await new Migrator(db.Owner).MigrateAsync(MigrationSet.Tenant, schema, CancellationToken.None);
        await db.SuperuserAsync($"update control.placements set tier = 'schema', schema_name = '{schema}' where tenant_id = '{tenant.Id}'");
        Assert.True((await Lint.RunAsync(db)).Passed);

        await db.SuperuserAsync($"alter table {schema}.conversations disable row level security; create table {schema}.scratch (k text)");
        var report = await Lint.RunAsync(db);

        Assert.Equal([Placement.SharedSchema, schema], Assert.Single(report.Databases).TenantSchemas);
        Assert.Contains($"{schema}.conversations: row-level security is not enabled", report.FailuresOf(LintRules.RowSecurity));
        Assert.Contains(report.FailuresOf(LintRules.TablesWithoutTenant), f => f.StartsWith($"{schema}.scratch:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_database_placement_that_cannot_be_reached_fails_rather_than_passing_unseen()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tenant = await db.CreateTenantAsync();
        await db.SuperuserAsync($"update control.placements set tier = 'database', server = 'far-away', database = 'tenant_db', schema_name = 'app' where tenant_id = '{tenant.Id}'");

        var report = await Lint.RunAsync(db);

        var failure = Assert.Single(report.Failures);
        Assert.Equal((LintRules.Reachable, "far-away/tenant_db"), (failure.Rule, failure.Object));
    }

    [Fact]
    public async Task the_report_is_dated_and_names_server_and_database_in_text_and_json()
    {
        await using var db = await TestDatabase.CreateAsync();

        var report = await Lint.RunAsync(db);
        var json = System.Text.Json.Nodes.JsonNode.Parse(report.ToJson())!;

        Assert.Contains($"database {db.Name}", report.ToText(), StringComparison.Ordinal);
        Assert.Contains("server primary (127.0.0.1:", report.ToText(), StringComparison.Ordinal);
        Assert.True(json["passed"]!.GetValue<bool>());
        Assert.Equal(db.Name, json["databases"]![0]!["database"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(json["checked_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal(LintRules.Descriptions.Count, json["rules"]!.AsArray().Count);
    }

    private static async Task SeedConversationAsync(TestDatabase db)
    {
        var tenant = await db.CreateTenantAsync();
        await using var session = await TenantSession.OpenAsync(tenant.Scope, new PrimaryPlacementRouter(db.App), CancellationToken.None);
        await new Bulkhead.Conversations.ConversationStore(session, TestKeyRing.Keys).CreateAsync(new Bulkhead.Conversations.Viewer("someone", false), "a row to leak", CancellationToken.None);
    }

    /// <summary>A table with forced RLS and the canonical policy, so that only the rule under test can fail.</summary>
    private static Task CreateIsolatedTableAsync(TestDatabase db, string table, string columns) => db.SuperuserAsync($"""
        create table {table} ({columns});
        alter table {table} owner to bulkhead_owner;
        alter table {table} enable row level security;
        alter table {table} force row level security;
        create policy tenant_isolation on {table} for all using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
        """);
}
