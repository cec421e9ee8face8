using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Compliance;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Audit;

namespace Bulkhead.Tests.Compliance;

/// <summary>GDPR export and erasure, and retention: exactly the right user's data, of exactly the right tenant.</summary>
public sealed class ComplianceTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task export_returns_exactly_the_users_data_and_nothing_of_the_same_sub_in_another_tenant()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var other = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var (alice, aliceId) = await UserAsync(tenant, "alice");
        var (bob, _) = await UserAsync(tenant, "bob");
        var (otherAlice, otherAliceId) = await UserAsync(other, "alice");
        var kept = await alice.CreateConversationAsync("alice one");
        await alice.PostAsync($"/api/conversations/{kept}/messages", Http.Json(new { content = "alice says hi" }));
        await alice.CreateConversationAsync("alice two");
        await bob.CreateConversationAsync("bob only");
        var foreign = await otherAlice.CreateConversationAsync("other tenant alice");
        using var admin = Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));

        var export = await admin.GetFromJsonAsync<JsonNode>($"/api/tenant/users/{aliceId}/export");
        var text = export!.ToJsonString();

        Assert.Equal(aliceId, export["user"]!["id"]!.GetValue<Guid>());
        Assert.Equal("alice", export["user"]!["sub"]!.GetValue<string>());
        var titles = export["conversations"]!.AsArray().Select(c => c!["title"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["alice one", "alice two"], titles);
        Assert.Contains("alice says hi", text, StringComparison.Ordinal);
        Assert.DoesNotContain("bob only", text, StringComparison.Ordinal);
        Assert.DoesNotContain("other tenant alice", text, StringComparison.Ordinal);
        Assert.DoesNotContain(foreign.ToString(), text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/tenant/users/{otherAliceId}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync($"/api/tenant/users/{aliceId}/export")).StatusCode);
    }

    [Fact]
    public async Task erasure_removes_all_of_the_users_content_keeps_a_content_free_audit_record_and_the_chain_verifies()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Schema);
        var other = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var (alice, aliceId) = await UserAsync(tenant, "alice");
        var (bob, _) = await UserAsync(tenant, "bob");
        var (otherAlice, _) = await UserAsync(other, "alice");
        var conversation = await alice.CreateConversationAsync("to be forgotten");
        await alice.PostAsync($"/api/conversations/{conversation}/messages", Http.Json(new { content = "forget me" }));
        var bobs = await bob.CreateConversationAsync("bob stays");
        var others = await otherAlice.CreateConversationAsync("other alice stays");
        using var admin = Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/tenant/users/{aliceId}")).StatusCode);

        var schema = tenant.Placement.Schema;
        Assert.Equal(0L, await CountAsync($"select count(*) from {schema}.users where tenant_id = $1 and id = $2", tenant.Id, aliceId));
        Assert.Equal(0L, await CountAsync($"select count(*) from {schema}.conversations where tenant_id = $1 and id = $2", tenant.Id, conversation));
        Assert.Equal(0L, await CountAsync($"select count(*) from {schema}.messages where tenant_id = $1 and conversation_id = $2", tenant.Id, conversation));
        Assert.Equal(0L, await CountAsync($"select count(*) from {schema}.chat_usage where tenant_id = $1 and user_id = $2", tenant.Id, aliceId));
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/api/conversations/{bobs}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await otherAlice.GetAsync($"/api/conversations/{others}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/tenant/users/{aliceId}")).StatusCode);

        var events = await AuditEvents.ReadAsync(fixture.Database, tenant);
        var erasure = events.First(e => e.Action == "user.erase");
        Assert.Equal((Bulkhead.Audit.AuditOutcome.Ok, aliceId.ToString(), 1L), (erasure.Outcome!.Value, erasure.ResourceId!, erasure.ResultCount!.Value));
        Assert.DoesNotContain(events, e => $"{e.ResourceId}{e.Action}".Contains("forget", StringComparison.Ordinal));
        var (code, output) = await AuditEvents.VerifyAsync(fixture.Database, tenant.Slug);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task export_leaves_out_nothing_of_the_users_usage_audit_events_keys_and_config_changes()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var (alice, aliceId) = await ActiveAdminAsync(tenant, "alice");
        var (bob, _) = await UserAsync(tenant, "bob");
        await bob.PostAsync("/api/chat", Http.Json(new { query = "bob asks" }));
        using var admin = Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));

        var export = (await admin.GetFromJsonAsync<JsonNode>($"/api/tenant/users/{aliceId}/export"))!;

        Assert.Single(export["usage"]!.AsArray());
        Assert.Single(export["token_ledger"]!.AsArray());
        Assert.Equal("alice's key", Assert.Single(export["api_keys"]!.AsArray())!["name"]!.GetValue<string>());
        Assert.Single(export["config_changes"]!.AsArray());
        var actions = export["audit_events"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("config.change", actions);
        Assert.Contains("POST /api/chat", actions);
        Assert.Contains(export["audit_events"]!.AsArray(), e => e!["client_address"]?.GetValue<string>() == "127.0.0.1");
        Assert.DoesNotContain("bob asks", export.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(actions, a => a == "user.export");
    }

    [Fact]
    public async Task erasure_leaves_no_client_address_nor_the_users_sub_in_keys_config_history_or_ledger_and_the_sealed_trail_verifies()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var (_, aliceId) = await ActiveAdminAsync(tenant, "alice");
        using var admin = Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        await Eventually.UntilAsync(
            async () => await CountAsync(
                "select count(*) from app.audit_events e where e.tenant_id = $1 and not exists " +
                "(select 1 from app.audit_seals s where s.tenant_id = e.tenant_id and s.event_id = e.id)", tenant.Id) == 0,
            TimeSpan.FromSeconds(30), "alice's events are sealed");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/tenant/users/{aliceId}")).StatusCode);

        var pseudonym = $"erased:{aliceId}";
        Assert.Equal(0L, await CountAsync("select count(*) from app.audit_client_addresses a join app.audit_events e on e.tenant_id = a.tenant_id and a.commitment = e.client_address where a.tenant_id = $1 and e.sub = 'alice'", tenant.Id));
        Assert.Equal(pseudonym, await fixture.Database.ScalarAsync<string>(fixture.Database.Owner, "select created_by from app.api_keys where tenant_id = $1", tenant.Id));
        Assert.Equal(pseudonym, await fixture.Database.ScalarAsync<string>(fixture.Database.Owner, "select changed_by from app.tenant_config where tenant_id = $1", tenant.Id));
        Assert.Equal(pseudonym, await fixture.Database.ScalarAsync<string>(fixture.Database.Owner, "select sub from app.token_ledger where tenant_id = $1", tenant.Id));
        var alices = (await AuditEvents.ReadAsync(fixture.Database, tenant)).Where(e => e.Sub == "alice").ToList();
        Assert.NotEmpty(alices);
        Assert.All(alices, e => Assert.StartsWith(Bulkhead.Audit.ClientAddressCommitment.Prefix, e.ClientAddress, StringComparison.Ordinal));
        var trail = (await admin.GetFromJsonAsync<JsonNode>("/api/tenant/audit?user=alice&limit=100"))!["items"]!.AsArray();
        Assert.NotEmpty(trail);
        Assert.All(trail, e => Assert.Null(e!["client_address"]));
        var (code, output) = await AuditEvents.VerifyAsync(fixture.Database, tenant.Slug);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task an_erasure_that_fails_at_its_last_step_changes_nothing()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var (_, aliceId) = await ActiveAdminAsync(tenant, "alice");
        using var admin = Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        var addresses = await CountAsync("select count(*) from app.audit_client_addresses a join app.audit_events e on e.tenant_id = a.tenant_id and a.commitment = e.client_address where a.tenant_id = $1 and e.sub = 'alice'", tenant.Id);
        await fixture.Database.SuperuserAsync($"""
            create function app.refuse_erasure() returns trigger language plpgsql as $$
            begin if old.tenant_id = '{tenant.Id}' then raise exception 'refused'; end if; return old; end $$;
            create trigger refuse_erasure before delete on app.users for each row execute function app.refuse_erasure();
            """);
        try
        {
            Assert.Equal(HttpStatusCode.InternalServerError, (await admin.DeleteAsync($"/api/tenant/users/{aliceId}")).StatusCode);
        }
        finally
        {
            await fixture.Database.SuperuserAsync("drop trigger refuse_erasure on app.users; drop function app.refuse_erasure();");
        }

        Assert.Equal(addresses, await CountAsync("select count(*) from app.audit_client_addresses a join app.audit_events e on e.tenant_id = a.tenant_id and a.commitment = e.client_address where a.tenant_id = $1 and e.sub = 'alice'", tenant.Id));
        Assert.Equal(1L, await CountAsync("select count(*) from app.users where tenant_id = $1 and sub = 'alice'", tenant.Id));
        Assert.Equal("alice", await fixture.Database.ScalarAsync<string>(fixture.Database.Owner, "select created_by from app.api_keys where tenant_id = $1", tenant.Id));
        Assert.Equal("alice", await fixture.Database.ScalarAsync<string>(fixture.Database.Owner, "select changed_by from app.tenant_config where tenant_id = $1", tenant.Id));
        Assert.Equal("alice", await fixture.Database.ScalarAsync<string>(fixture.Database.Owner, "select sub from app.token_ledger where tenant_id = $1", tenant.Id));
    }

    [Fact]
    public async Task retention_deletes_only_expired_content_of_the_right_tenant()
    {
        // basic keeps 30 days, premium 365; the tenant's own retention_days overrides its plan.
        var basic = await fixture.Database.CreateTenantAsync(Tier.Pooled, plan: "basic");
        var premium = await fixture.Database.CreateTenantAsync(Tier.Schema, plan: "premium");
        var shortened = await fixture.Database.CreateTenantAsync(Tier.Pooled, plan: "premium");
        var (basicUser, _) = await UserAsync(basic, "alice");
        var (premiumUser, _) = await UserAsync(premium, "alice");
        var (shortUser, _) = await UserAsync(shortened, "alice");
        using (var admin = Server.Client(TestKeys.Token(shortened.Id, "boss", Roles.Admin)))
        {
            var put = await admin.PutAsync("/api/tenant/config", Http.Json(new { retention_days = 7 }));
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var basicOld = await basicUser.CreateConversationAsync("basic old");
        var basicNew = await basicUser.CreateConversationAsync("basic new");
        var premiumOld = await premiumUser.CreateConversationAsync("premium old");
        var shortOld = await shortUser.CreateConversationAsync("short old");
        await Age(basic, basicOld, days: 40);
        await Age(premium, premiumOld, days: 40);
        await Age(shortened, shortOld, days: 10);

        var results = await Server.Services.GetRequiredService<RetentionService>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, results.Single(r => r.TenantId == basic.Id).Conversations);
        Assert.Equal(0, results.Single(r => r.TenantId == premium.Id).Conversations);
        Assert.Equal(1, results.Single(r => r.TenantId == shortened.Id).Conversations);
        Assert.Equal(HttpStatusCode.NotFound, (await basicUser.GetAsync($"/api/conversations/{basicOld}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await basicUser.GetAsync($"/api/conversations/{basicNew}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await premiumUser.GetAsync($"/api/conversations/{premiumOld}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await shortUser.GetAsync($"/api/conversations/{shortOld}")).StatusCode);
        var sweep = (await AuditEvents.ReadAsync(fixture.Database, basic)).Single(e => e.Action == "retention.sweep");
        Assert.Equal(("system:retention", 1L), (sweep.Sub, sweep.ResultCount!.Value));
        Assert.Equal(0, (await AuditEvents.VerifyAsync(fixture.Database, basic.Slug)).Code);
    }

    private async Task<(HttpClient Client, Guid UserId)> UserAsync(Tenant tenant, string sub)
    {
        var client = Server.Client(TestKeys.Token(tenant.Id, sub));
        var me = await client.GetFromJsonAsync<JsonNode>("/api/me");
        return (client, me!["user_id"]!.GetValue<Guid>());
    }

    // An admin who chatted, created an API key and changed the configuration: rows that name her in every table.
    private async Task<(HttpClient Client, Guid UserId)> ActiveAdminAsync(Tenant tenant, string sub)
    {
        var client = Server.Client(TestKeys.Token(tenant.Id, sub, Roles.Admin));
        var me = await client.GetFromJsonAsync<JsonNode>("/api/me");
        foreach (var response in new[]
        {
            await client.PostAsync("/api/chat", Http.Json(new { query = "hello" })),
            await client.PostAsync("/api/tenant/api-keys", Http.Json(new { name = sub + "'s key" })),
            await client.PutAsync("/api/tenant/config", Http.Json(new { temperature = 1.1 })),
        })
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        return (client, me!["user_id"]!.GetValue<Guid>());
    }

    private async Task Age(Tenant tenant, Guid conversation, int days)
    {
        var schema = tenant.Placement.Schema;
        await using var batch = fixture.Database.Owner.CreateBatch();
        foreach (var sql in new[]
        {
            $"update {schema}.conversations set updated_at = now() - make_interval(days => $2), created_at = now() - make_interval(days => $2) where tenant_id = $1 and id = $3",
            $"update {schema}.messages set created_at = now() - make_interval(days => $2) where tenant_id = $1 and conversation_id = $3",
        })
        {
            var command = new Npgsql.NpgsqlBatchCommand(sql);
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = days });
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = conversation });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
    }

    private Task<long> CountAsync(string sql, params object[] args) => fixture.Database.ScalarAsync<long>(fixture.Database.Owner, sql, args);
}
