using System.Net;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Audit;

/// <summary>Nothing is served unaudited: when the audit write fails, the request fails and returns no data.</summary>
public sealed class AuditFailureTests
{
    [Fact]
    public async Task a_failed_audit_write_fails_the_read_and_serves_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var server = await RunningServer.StartAsync(db);
        var tenant = await db.CreateTenantAsync(Tier.Pooled);
        using var client = server.Client(TestKeys.Token(tenant.Id, "alice"));
        var id = await client.CreateConversationAsync("secret-title-4711");

        await db.SuperuserAsync("""
            create function app.refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end $$;
            create trigger refuse_audit before insert on app.audit_events for each row execute function app.refuse_audit();
            """);

        var read = await client.GetAsync($"/api/conversations/{id}");
        var list = await client.GetAsync("/api/conversations");
        var create = await client.PostAsync("/api/conversations", Http.Json(new { title = "should not exist" }));

        Assert.Equal(HttpStatusCode.InternalServerError, read.StatusCode);
        Assert.DoesNotContain("secret-title-4711", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, list.StatusCode);
        Assert.DoesNotContain("secret-title-4711", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, create.StatusCode);
        Assert.Equal(1L, await db.ScalarAsync<long>(db.Owner, "select count(*) from app.conversations where tenant_id = $1", tenant.Id));
    }
}
