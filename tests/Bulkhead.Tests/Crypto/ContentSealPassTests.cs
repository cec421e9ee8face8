using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bulkhead.Crypto;
using Bulkhead.Host.Auth;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Bulkhead.Tests.Crypto;

/// <summary>
/// The content half of <c>keys rotate</c>: rows stored before encryption are sealed (titles become searchable),
/// a system prompt sealed under an earlier tenant key is re-sealed under the current one, and a second run has
/// nothing left to do.
/// </summary>
public sealed class ContentSealPassTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task legacy_titles_and_messages_are_sealed_and_searchable_and_a_prompt_moves_to_the_new_tenant_key()
    {
        var db = fixture.Database;
        var tenant = await db.CreateTenantAsync(Tier.Pooled);
        using var member = fixture.Server.Client(TestKeys.Token(tenant.Id, "legacy-user"));
        using var admin = fixture.Server.Client(TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        await member.CreateConversationAsync("made after encryption");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/tenant/config", Http.Json(new { system_prompt = "Answer briefly." }))).StatusCode);

        // Rows as the migration to sealed content left them: version 0, plain UTF-8 after one zero byte.
        await db.SuperuserAsync($"""
            insert into app.conversations (tenant_id, id, user_id, title)
              select u.tenant_id, gen_random_uuid(), u.id, '\x00'::bytea || convert_to('Ältere Bestellung ' || n, 'UTF8')
                from app.users u, generate_series(1, 1200) n where u.tenant_id = '{tenant.Id}' and u.sub = 'legacy-user';
            insert into app.messages (tenant_id, id, conversation_id, role, content)
              select c.tenant_id, gen_random_uuid(), c.id, 'user', '\x00'::bytea || convert_to('legacy message of ' || c.id, 'UTF8')
                from app.conversations c where c.tenant_id = '{tenant.Id}' and substring(c.title from 1 for 1) = '\x00'::bytea;
            """);

        var ring = fixture.Server.Services.GetRequiredService<KeyRing>();
        var rotation = new KeyRotation(ring).Rotate(tenant.Id);
        var pass = new ContentSealPass(ring);
        var progress = new List<(long Done, long Total)>();
        var report = await pass.RunAsync(tenant.Scope, new OwnerPlacementRouter(db.Owners), (done, total) => progress.Add((done, total)), default);

        Assert.Equal((1200L, 1200L, 1L), (report.Titles, report.Messages, report.SystemPrompts));
        Assert.Equal((2401L, 2401L), progress[^1]);
        Assert.True(progress.Count > 3, "progress is reported page by page");
        Assert.Equal(0L, await db.ScalarAsync<long>(db.Owner, """
            select (select count(*) from app.conversations where tenant_id = $1 and substring(title from 1 for 1) = '\x00'::bytea)
                 + (select count(*) from app.messages where tenant_id = $1 and substring(content from 1 for 1) = '\x00'::bytea)
            """, tenant.Id));
        var promptKeys = await db.ScalarAsync<byte[]>(db.Owner, "select substring(system_prompt from 2 for 16) from app.tenant_config where tenant_id = $1 order by id desc limit 1", tenant.Id);
        Assert.Equal(rotation.DataKey, new Guid(promptKeys));

        // The tenant reads its text as before, and finds a formerly plain title by a word in any case.
        var found = (await member.GetFromJsonAsync<JsonNode>("/api/conversations?q=bestellung%201107"))!["items"]!.AsArray();
        var title = Assert.Single(found)!["title"]!.GetValue<string>();
        Assert.Equal("Ältere Bestellung 1107", title);
        var conversation = found[0]!["id"]!.GetValue<Guid>();
        var messages = await member.GetFromJsonAsync<JsonNode>($"/api/conversations/{conversation}/messages");
        Assert.Equal($"legacy message of {conversation}", messages!["items"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("Answer briefly.", (await admin.GetFromJsonAsync<JsonNode>("/api/tenant/config"))!["system_prompt"]!.GetValue<string>());

        Assert.Equal(0L, (await pass.RunAsync(tenant.Scope, new OwnerPlacementRouter(db.Owners), null, default)).Total);
    }
}
