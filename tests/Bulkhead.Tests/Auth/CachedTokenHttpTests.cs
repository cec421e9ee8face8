using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.Auth;

/// <summary>
/// The server's cache of validated tokens, seen from outside: once a genuine token has been accepted (and
/// so cached), no variant of it rides on that acceptance.
/// </summary>
public sealed class CachedTokenHttpTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string TenantEndpoint = "/api/me";

    [Fact]
    public async Task an_accepted_token_with_its_payload_swapped_for_another_tenants_gets_401()
    {
        var mine = await api.Database.CreateTenantAsync();
        var theirs = await api.Database.CreateTenantAsync();
        var genuine = ForgedTokens.Sign(ForgedTokens.Claims(mine.Id)).Split('.');
        var swapped = ForgedTokens.Sign(ForgedTokens.Claims(theirs.Id)).Split('.');

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(string.Join('.', genuine)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(string.Join('.', genuine)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync($"{genuine[0]}.{swapped[1]}.{genuine[2]}"));
    }

    [Fact]
    public async Task an_accepted_token_with_one_bit_of_its_signature_flipped_gets_401()
    {
        var token = ForgedTokens.Sign(ForgedTokens.Claims((await api.Database.CreateTenantAsync()).Id));
        var parts = token.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[0] ^= 0x80;

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(token));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync($"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(token));
    }

    private async Task<HttpStatusCode> StatusAsync(string token)
    {
        using var client = api.Server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, TenantEndpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.SendAsync(request)).StatusCode;
    }
}
