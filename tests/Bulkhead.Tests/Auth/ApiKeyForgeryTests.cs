using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Bulkhead.Chat;
using Bulkhead.Tenancy;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.Auth;

/// <summary>
/// Forged API keys teach an unauthenticated caller nothing and cost the server nothing: a key the server
/// did not tag is refused before any tenant is looked up, and untagged keys are looked up only within the
/// address's failure budget, so cycling made-up tenant ids neither grows the directory nor reaches databases.
/// </summary>
public sealed class ApiKeyForgeryTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task forged_keys_naming_real_and_made_up_tenants_are_refused_without_a_tenant_lookup()
    {
        var real = await api.Database.CreateTenantAsync();
        var directory = api.Server.Services.GetRequiredService<TenantDirectory>();
        var before = directory.Count;
        var otherServer = RandomNumberGenerator.GetBytes(32);

        for (var i = 0; i < 200; i++)
        {
            var tenant = i % 2 == 0 ? real.Id : Guid.CreateVersion7();
            Assert.Equal(HttpStatusCode.Unauthorized, await DoorStatusAsync(TenantApiKey.Create(tenant, Guid.CreateVersion7(), otherServer)));
        }

        Assert.Equal(before, directory.Count);
    }

    [Fact]
    public async Task untagged_keys_from_one_address_stop_reaching_the_directory_after_the_failure_budget()
    {
        var directory = api.Server.Services.GetRequiredService<TenantDirectory>();
        var before = directory.Count;

        for (var i = 0; i < 100; i++)
        {
            var untagged = "bhk_" + Base64UrlEncoder.Encode([.. Guid.CreateVersion7().ToByteArray(), .. RandomNumberGenerator.GetBytes(48)]);
            Assert.Equal(HttpStatusCode.Unauthorized, await DoorStatusAsync(untagged));
        }

        Assert.InRange(directory.Count - before, 1, 30);
    }

    [Fact]
    public async Task a_key_the_server_issued_still_opens_the_door()
    {
        var tenant = await api.Database.CreateTenantAsync();
        using var admin = api.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        var created = await (await admin.PostAsync("/api/tenant/api-keys", Http.Json(new { name = "real" }))).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, await DoorStatusAsync(created["key"]!.GetValue<string>()));
    }

    private async Task<HttpStatusCode> DoorStatusAsync(string key)
    {
        using var client = api.Server.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return (await client.GetAsync("/v1/models")).StatusCode;
    }
}
