using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Bulkhead.Tests.Api;

/// <summary>The platform API on a server that was not given the owner connection.</summary>
public sealed class AdminTenantsApiTests
{
    [Fact]
    public async Task a_server_without_the_owner_connection_answers_every_owner_route_503_and_still_reads_tenants()
    {
        await using var database = await TestDatabase.CreateAsync();
        var tenant = await database.CreateTenantAsync();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Bulkhead:OwnerConnection"] = "" });
        using var platform = server.Client(TestKeys.PlatformToken());

        var refused = new[]
        {
            await platform.PostAsJsonAsync("/api/admin/tenants", new { slug = "never-made", name = "Never", plan = "basic" }),
            await platform.PatchAsJsonAsync($"/api/admin/tenants/{tenant.Id}", new { status = "suspended" }),
            await platform.DeleteAsync($"/api/admin/tenants/{tenant.Id}"),
            await platform.PostAsJsonAsync($"/api/admin/tenants/{tenant.Id}/move", new { tier = "schema" }),
            await platform.GetAsync("/api/admin/analytics"),
        };

        foreach (var response in refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Bulkhead:OwnerConnection", (await response.ReadJsonAsync())["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var listed = await platform.GetFromJsonAsync<JsonArray>("/api/admin/tenants");
        Assert.Equal([tenant.Slug], listed!.Select(t => t!["slug"]!.GetValue<string>()));
        Assert.Equal("active", (await platform.GetFromJsonAsync<JsonObject>($"/api/admin/tenants/{tenant.Id}"))!["status"]!.GetValue<string>());
        Assert.Equal(0L, await database.ScalarAsync<long>(database.Owner, "select count(*) from control.tenants where slug = 'never-made'"));
    }

    [Fact]
    public async Task without_the_owner_connection_a_tenant_token_still_gets_403_on_the_owner_routes()
    {
        await using var database = await TestDatabase.CreateAsync();
        var tenant = await database.CreateTenantAsync();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Bulkhead:OwnerConnection"] = "" });
        using var admin = server.Client(TestKeys.Token(tenant.Id, "boss", "admin"));

        Assert.Equal(HttpStatusCode.Forbidden, (await admin.DeleteAsync($"/api/admin/tenants/{tenant.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/admin/analytics")).StatusCode);
    }
}
