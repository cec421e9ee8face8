using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Audit;
using Bulkhead.Conversations;
using Bulkhead.Crypto;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Tests.Crypto;

/// <summary>
/// Content is sealed under each tenant's and user's keys: a real pg_dump holds none of it in plain text, a
/// value copied to another place does not open (and raises an alert), and erasing a user shreds their content
/// in a backup taken before the erasure.
/// </summary>
public sealed class SealedContentTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task a_pg_dump_holds_no_plain_text_of_any_tenants_messages_titles_or_system_prompt()
    {
        var canary = "canary" + Guid.NewGuid().ToString("N");
        foreach (var tier in new[] { Tier.Pooled, Tier.Schema })
        {
            var tenant = await fixture.Database.CreateTenantAsync(tier);
            using var member = Server.Client(TestKeys.Token(tenant.Id, "writer"));
            using var admin = Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
            var conversation = await member.CreateConversationAsync($"{canary} title {tier}");
            Assert.Equal(HttpStatusCode.Created, (await member.PostAsync($"/api/conversations/{conversation}/messages", Http.Json(new { content = $"{canary} message {tier}" }))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await member.PostAsync("/api/chat", Http.Json(new { query = $"{canary} chat {tier}" }))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/tenant/config", Http.Json(new { system_prompt = $"{canary} prompt {tier}" }))).StatusCode);

            // The tenant itself still reads its plain text through the API.
            var messages = await member.GetFromJsonAsync<JsonNode>($"/api/conversations/{conversation}/messages");
            Assert.Equal($"{canary} message {tier}", messages!["items"]![0]!["content"]!.GetValue<string>());
            Assert.Equal($"{canary} title {tier}", (await member.GetFromJsonAsync<JsonNode>($"/api/conversations/{conversation}"))!["title"]!.GetValue<string>());
        }

        var dump = await PgDump.DumpAsync(fixture.Database.Name);
        try
        {
            var text = await File.ReadAllTextAsync(dump);
            Assert.Contains("conversation_terms", text, StringComparison.Ordinal);
            Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
            // Nor in the hex form that a bytea column holds, had it been written unsealed.
            Assert.DoesNotContain(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(canary)), text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(dump);
        }
    }

    [Fact]
    public async Task an_erased_users_messages_do_not_open_in_a_dump_restored_after_the_erasure_and_everyone_elses_do()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var alice = Server.Client(TestKeys.Token(tenant.Id, "alice"));
        using var bob = Server.Client(TestKeys.Token(tenant.Id, "bob"));
        using var admin = Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        var aliceId = (await alice.GetFromJsonAsync<JsonNode>("/api/me"))!["user_id"]!.GetValue<Guid>();
        var bobId = (await bob.GetFromJsonAsync<JsonNode>("/api/me"))!["user_id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync("/api/chat", Http.Json(new { query = "alice's secret" }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsync("/api/chat", Http.Json(new { query = "bob's note" }))).StatusCode);
        var dump = await PgDump.DumpAsync(fixture.Database.Name);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/tenant/users/{aliceId}")).StatusCode);

        var restored = await PgDump.RestoreAsync(dump);
        try
        {
            // Another server on the restored database: the same key provider, nothing cached.
            var cipher = new KeyRing(new LocalKeyProvider(TestKeyRing.Directory)).For(tenant.Id);
            var rows = await RestoredMessagesAsync(restored, tenant.Id);
            Assert.Equal([aliceId, aliceId, bobId, bobId], rows.Select(r => r.Owner).Order().ToList());

            var opened = rows.Where(r => r.Owner == bobId).Select(r => cipher.Open(ConversationStore.ContentField(r.Id, "bob"), r.Content)).ToList();
            Assert.Contains("bob's note", opened);
            foreach (var row in rows.Where(r => r.Owner == aliceId))
            {
                var broken = Assert.Throws<SealBrokenException>(() => cipher.Open(ConversationStore.ContentField(row.Id, "alice"), row.Content));
                Assert.Contains("destroyed", broken.Reason, StringComparison.Ordinal);
            }
        }
        finally
        {
            await PgDump.DropAsync(restored);
            File.Delete(dump);
        }
    }

    [Fact]
    public async Task a_title_copied_into_another_tenants_row_does_not_open_fails_closed_and_raises_an_alert()
    {
        var victim = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var thief = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var victimClient = Server.Client(TestKeys.Token(victim.Id, "same-sub"));
        using var thiefClient = Server.Client(TestKeys.Token(thief.Id, "same-sub"));
        var secret = await victimClient.CreateConversationAsync("the victim's title");
        var own = await thiefClient.CreateConversationAsync("the thief's title");

        await fixture.Database.SuperuserAsync(
            $"update app.conversations set title = (select title from app.conversations where id = '{secret}') where id = '{own}'");
        var response = await thiefClient.GetAsync($"/api/conversations/{own}");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("victim", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var alerts = Server.Services.GetRequiredService<AlertStore>();
        await Eventually.UntilAsync(
            async () => (await alerts.ListAsync(AlertKinds.SealBroken, thief.Id, null, 10, default)).Any(a => a.Detail.Contains(own.ToString(), StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "a seal_broken alert for the copied title");
        Assert.Equal(HttpStatusCode.OK, (await victimClient.GetAsync($"/api/conversations/{secret}")).StatusCode);
    }

    [Fact]
    public async Task a_message_copied_into_another_row_of_the_same_user_does_not_open()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var member = Server.Client(TestKeys.Token(tenant.Id, "copier"));
        var conversation = await member.CreateConversationAsync("two messages");
        await member.PostAsync($"/api/conversations/{conversation}/messages", Http.Json(new { content = "first" }));
        await member.PostAsync($"/api/conversations/{conversation}/messages", Http.Json(new { content = "second" }));
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/api/conversations/{conversation}/messages")).StatusCode);

        await fixture.Database.SuperuserAsync($"""
            update app.messages m set content = (select content from app.messages where conversation_id = '{conversation}' order by id limit 1)
             where m.id = (select id from app.messages where conversation_id = '{conversation}' order by id desc limit 1)
            """);

        Assert.Equal(HttpStatusCode.InternalServerError, (await member.GetAsync($"/api/conversations/{conversation}/messages")).StatusCode);
    }

    [Fact]
    public async Task title_search_finds_conversations_by_whole_words_in_any_case_and_only_the_callers_own()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var member = Server.Client(TestKeys.Token(tenant.Id, "searcher"));
        using var other = Server.Client(TestKeys.Token(tenant.Id, "someone-else"));
        var invoice = await member.CreateConversationAsync("Invoice for March");
        var renamed = await member.CreateConversationAsync("draft");
        await member.CreateConversationAsync("Travel plans");
        await other.CreateConversationAsync("invoice of another user");
        Assert.Equal(HttpStatusCode.OK, (await member.PatchAsync($"/api/conversations/{renamed}", Http.Json(new { title = "March invoice, second copy" }))).StatusCode);

        async Task<List<Guid>> SearchAsync(string q) =>
            (await member.ListAllAsync($"/api/conversations?q={Uri.EscapeDataString(q)}", 10)).Select(i => i["id"]!.GetValue<Guid>()).ToList();

        Assert.Equal([renamed, invoice], await SearchAsync("INVOICE"));
        Assert.Equal([renamed, invoice], await SearchAsync("march invoice"));
        Assert.Equal([renamed], await SearchAsync("invoice copy"));
        Assert.Empty(await SearchAsync("draft"));
        Assert.Empty(await SearchAsync("inv"));
        Assert.Equal(HttpStatusCode.BadRequest, (await member.GetAsync("/api/conversations?q=%20%2C%20")).StatusCode);
    }

    [Fact]
    public async Task a_member_renaming_another_members_conversation_gets_a_404_and_leaves_its_title_terms_alone()
    {
        var tenant = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        using var owner = Server.Client(TestKeys.Token(tenant.Id, "owner"));
        using var intruder = Server.Client(TestKeys.Token(tenant.Id, "intruder"));
        var report = await owner.CreateConversationAsync("Quarterly report");

        Assert.Equal(HttpStatusCode.NotFound, (await intruder.PatchAsync($"/api/conversations/{report}", Http.Json(new { title = "wiped" }))).StatusCode);

        var found = await owner.ListAllAsync("/api/conversations?q=quarterly", 10);
        Assert.Equal([report], found.Select(i => i["id"]!.GetValue<Guid>()).ToList());
        Assert.Equal("Quarterly report", found[0]["title"]!.GetValue<string>());
        Assert.Empty(await owner.ListAllAsync("/api/conversations?q=wiped", 10));
    }

    [Fact]
    public async Task offboarding_destroys_every_key_of_the_tenant_and_no_other()
    {
        var leaving = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        var staying = await fixture.Database.CreateTenantAsync(Tier.Pooled);
        foreach (var tenant in new[] { leaving, staying })
        {
            using var client = Server.Client(TestKeys.Token(tenant.Id, "someone"));
            await client.CreateConversationAsync("keyed");
        }

        var provider = new LocalKeyProvider(TestKeyRing.Directory);
        Assert.NotEmpty(provider.Read(leaving.Id, KeyNames.Tenant));
        await new TenantProvisioner(fixture.Database.Owners, new KeyRing(provider)).DeleteAsync(leaving.Id, default);

        Assert.Empty(provider.Read(leaving.Id, KeyNames.Tenant));
        Assert.DoesNotContain(leaving.Id, provider.Tenants());
        Assert.NotEmpty(provider.Read(staying.Id, KeyNames.Tenant));
    }

    private static async Task<List<(Guid Id, Guid Owner, byte[] Content)>> RestoredMessagesAsync(string database, Guid tenant)
    {
        await using var connection = new NpgsqlConnection(TestCluster.SuperuserConnection(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select m.id, c.user_id, m.content from app.messages m join app.conversations c on c.tenant_id = m.tenant_id and c.id = m.conversation_id " +
            "where m.tenant_id = $1 order by m.id", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(Guid, Guid, byte[])>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<byte[]>(2)));
        }

        return rows;
    }
}
