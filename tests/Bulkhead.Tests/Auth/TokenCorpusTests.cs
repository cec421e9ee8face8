using System.Net;
using System.Net.Http.Headers;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.Auth;

/// <summary>
/// The token corpus: every way to present a bad identity gets 401 (not who you say) or 403 (known,
/// but not allowed), never a 5xx and never another tenant's data. Each case is its own test.
/// </summary>
public sealed class TokenCorpusTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string TenantEndpoint = "/api/me";

    [Fact]
    public async Task a_valid_token_is_accepted_so_that_the_refusals_below_mean_something()
    {
        var tenant = await api.Database.CreateTenantAsync();

        var response = await GetAsync(ForgedTokens.Sign(ForgedTokens.Claims(tenant.Id)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task an_alg_none_token_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Unsigned(ForgedTokens.Claims(await TenantAsync())));

    [Fact]
    public async Task an_hs256_token_signed_with_the_public_key_pem_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.SignedWithPublicKeyAsSecret(ForgedTokens.Claims(await TenantAsync()), pem: true));

    [Fact]
    public async Task an_hs256_token_signed_with_the_public_key_der_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.SignedWithPublicKeyAsSecret(ForgedTokens.Claims(await TenantAsync()), pem: false));

    [Fact]
    public async Task a_token_signed_with_another_key_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(await TenantAsync()), ForgedTokens.OtherKey()));

    [Fact]
    public async Task a_token_with_a_tampered_payload_gets_401()
    {
        var mine = await TenantAsync();
        var theirs = await TenantAsync();
        var genuine = ForgedTokens.Sign(ForgedTokens.Claims(mine)).Split('.');
        var swapped = ForgedTokens.Sign(ForgedTokens.Claims(theirs)).Split('.');

        await AssertStatusAsync(HttpStatusCode.Unauthorized, $"{genuine[0]}.{swapped[1]}.{genuine[2]}");
    }

    [Fact]
    public async Task an_expired_token_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(
            ForgedTokens.Claims(await TenantAsync()), notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddHours(-1)));

    [Fact]
    public async Task a_token_not_yet_valid_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(
            ForgedTokens.Claims(await TenantAsync()), notBefore: DateTime.UtcNow.AddHours(1), expires: DateTime.UtcNow.AddHours(2)));

    [Fact]
    public async Task a_token_from_another_issuer_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(await TenantAsync()), issuer: "https://evil.example"));

    [Fact]
    public async Task a_token_for_another_audience_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(await TenantAsync()), audience: "some-other-api"));

    [Fact]
    public async Task a_member_token_without_tid_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(tenant: null)));

    [Fact]
    public async Task a_token_without_sub_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(await TenantAsync(), sub: null)));

    [Fact]
    public async Task a_token_with_an_empty_tid_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(Guid.Empty)));

    [Fact]
    public async Task a_token_with_an_unknown_role_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(await TenantAsync(), role: "superadmin")));

    [Fact]
    public async Task a_token_naming_an_unknown_tenant_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(Guid.CreateVersion7())));

    [Fact]
    public async Task a_token_of_a_suspended_tenant_gets_403()
    {
        // Suspended before its first request, so that the directory's short cache cannot hold the old status.
        var tenant = await api.Database.CreateTenantAsync();
        Assert.True(await api.Database.Catalog.SetStatusAsync(tenant.Id, TenantStatus.Suspended, CancellationToken.None));

        await AssertStatusAsync(HttpStatusCode.Forbidden, TestKeys.Token(tenant.Id, "123"));
    }

    [Fact]
    public async Task a_platform_token_on_a_tenant_endpoint_gets_403()
    {
        await AssertStatusAsync(HttpStatusCode.Forbidden, TestKeys.PlatformToken());
        using var client = api.Server.Client(TestKeys.PlatformToken());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/conversations")).StatusCode);
    }

    [Fact]
    public async Task a_platform_token_that_also_names_a_tenant_gets_401() =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(ForgedTokens.Claims(await TenantAsync(), role: Roles.Platform)));

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("' OR 1=1 --")]
    [InlineData("kid\"; drop table control.tenants; --")]
    [InlineData("file:///dev/null")]
    [InlineData("\u0000")]
    public async Task a_kid_with_path_or_sql_characters_gets_401(string kid) =>
        await AssertStatusAsync(HttpStatusCode.Unauthorized, ForgedTokens.Sign(
            ForgedTokens.Claims(await TenantAsync()), ForgedTokens.OtherKey(kid)));

    [Fact]
    public async Task an_oversized_token_is_refused_with_401_or_431()
    {
        var claims = ForgedTokens.Claims(await TenantAsync());
        claims["padding"] = new string('A', 12 * 1024);

        var response = await GetAsync(ForgedTokens.Sign(claims, ForgedTokens.OtherKey()));
        var huge = await GetAsync(new string('A', 200 * 1024));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, huge.StatusCode);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer a.b.c")]
    [InlineData("Bearer ....")]
    [InlineData("Basic bWFsbG9yeTpodW50ZXIy")]
    [InlineData("bearer eyJhbGciOiJub25lIn0.e30.")]
    public async Task a_malformed_authorization_header_gets_401(string header)
    {
        using var client = api.Server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, TenantEndpoint);
        request.Headers.TryAddWithoutValidation("Authorization", header);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task no_token_at_all_gets_401() => await AssertStatusAsync(HttpStatusCode.Unauthorized, token: null);

    [Fact]
    public async Task spoofed_tenant_headers_do_not_stand_in_for_a_token()
    {
        var tenant = await TenantAsync();
        using var client = api.Server.Client();
        client.DefaultRequestHeaders.Add("X-Tenant-ID", tenant.ToString());
        client.DefaultRequestHeaders.Add("X-User-ID", "123");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(TenantEndpoint)).StatusCode);
    }

    private async Task<Guid> TenantAsync() => (await api.Database.CreateTenantAsync()).Id;

    private async Task<HttpResponseMessage> GetAsync(string? token)
    {
        using var client = api.Server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, TenantEndpoint);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    private async Task AssertStatusAsync(HttpStatusCode expected, string? token)
    {
        var response = await GetAsync(token);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain("mallory", body, StringComparison.Ordinal);
    }
}
