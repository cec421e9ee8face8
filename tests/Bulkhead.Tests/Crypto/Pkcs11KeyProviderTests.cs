using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Bulkhead.Crypto;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Crypto;

/// <summary>The PKCS#11 key provider against a real token (SoftHSM2): wrapping inside the token, its key store, and a whole server on it.</summary>
public sealed class Pkcs11KeyProviderTests
{
    [Fact]
    public void a_key_wrapped_in_the_token_unwraps_only_with_the_same_kek_and_context()
    {
        using var provider = TestHsm.Provider("wrap-" + Guid.NewGuid().ToString("N")[..8]);
        var key = RandomNumberGenerator.GetBytes(32);
        var kek = provider.CurrentKek();

        var wrapped = provider.Wrap(kek, key, "context-a"u8);

        Assert.Equal(key, provider.Unwrap(kek, wrapped, "context-a"u8));
        Assert.NotEqual(key, wrapped[12..44]);
        Assert.Throws<CryptographicException>(() => provider.Unwrap(kek, wrapped, "context-b"u8));
        var tampered = wrapped.ToArray();
        tampered[^1] ^= 1;
        Assert.Throws<CryptographicException>(() => provider.Unwrap(kek, tampered, "context-a"u8));

        var next = provider.CreateKek();
        Assert.NotEqual(kek, next);
        Assert.Equal(next, provider.CurrentKek());
        Assert.Equal(key, provider.Unwrap(kek, wrapped, "context-a"u8));
        Assert.Throws<CryptographicException>(() => provider.Unwrap(next, wrapped, "context-a"u8));
    }

    [Fact]
    public void the_token_keeps_each_tenants_objects_apart_and_destroys_them()
    {
        using var provider = TestHsm.Provider("store-" + Guid.NewGuid().ToString("N")[..8]);
        var (one, two) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        provider.Add(one, "tenant", [1, 2, 3]);
        provider.Add(one, "tenant", [9, 9, 9]);
        provider.Add(one, "user-a", [4]);
        provider.Add(two, "tenant", [5]);

        Assert.Equal([[1, 2, 3]], provider.Read(one, "tenant"));
        provider.Replace(one, "tenant", [7]);
        Assert.Equal([[7]], provider.Read(one, "tenant"));
        Assert.Equal(new[] { one, two }.Order(), provider.Tenants());
        Assert.True(provider.Delete(one, "user-a"));
        Assert.Empty(provider.Read(one, "user-a"));

        Assert.Equal(1, provider.DeleteTenant(one));
        Assert.Empty(provider.Read(one, "tenant"));
        Assert.Equal([[5]], provider.Read(two, "tenant"));
    }

    [Fact]
    public async Task a_server_with_the_hsm_as_key_provider_seals_and_opens_content_on_the_request_path()
    {
        var label = "server-" + Guid.NewGuid().ToString("N")[..8];
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await RunningServer.StartAsync(database, TestHsm.Settings(label));
        var tenant = await database.CreateTenantAsync(Tier.Pooled);
        using var client = server.Client(TestKeys.Token(tenant.Id, "hsm-user"));

        var chat = await client.PostAsync("/api/chat", Http.Json(new { query = "sealed by the token" }));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        var conversation = (await chat.ReadJsonAsync())["conversation_id"]!.GetValue<Guid>();
        var messages = await client.GetFromJsonAsync<JsonNode>($"/api/conversations/{conversation}/messages");

        Assert.Equal("sealed by the token", messages!["items"]![0]!["content"]!.GetValue<string>());
        Assert.IsType<Pkcs11KeyProvider>(server.Services.GetRequiredService<IKeyProvider>());
        using var provider = TestHsm.Provider(label);
        Assert.Single(provider.Read(tenant.Id, KeyNames.Tenant));
        Assert.Contains(tenant.Id, provider.Tenants());
        // The local key directory holds nothing of this tenant: its keys are in the token only.
        Assert.Empty(new LocalKeyProvider(TestKeyRing.Directory).Read(tenant.Id, KeyNames.Tenant));
    }
}
