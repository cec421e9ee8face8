using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bulkhead.Chat;
using Bulkhead.Tests.Isolation;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.Auth;

/// <summary>
/// The credential corpus: every shape of Authorization header that is not a valid token or key gets 401
/// with a problem document, on every route the server maps (discovered from the server itself, so a new
/// route is covered without an edit here), anonymous routes such as /healthz included.
/// </summary>
public sealed partial class CredentialCorpusTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task every_malformed_or_foreign_credential_gets_401_problem_on_every_route()
    {
        var tenant = await api.Database.CreateTenantAsync();
        var valid = TestKeys.Token(tenant.Id, "123");
        var shapes = Corpus(tenant.Id, valid);
        var (endpoints, _) = FuzzEndpoint.Discover(api.Server.Services, new Dictionary<string, string>());
        Assert.Contains(endpoints, e => e.Route == "/healthz");
        Assert.Contains(endpoints, e => e.Route.StartsWith("/v1/", StringComparison.Ordinal));

        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8, MaxConnectionsPerServer = 8 };
        using var client = new HttpClient(handler) { BaseAddress = api.Server.Address };
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var cases = endpoints.SelectMany(e => shapes.Select(s => (Endpoint: e, Shape: s))).ToList();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(c.Endpoint.Method), RouteValue().Replace(c.Endpoint.Route, Guid.CreateVersion7().ToString()));
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", c.Shape.Header), $"the client refused the header of {c.Shape.Name}");
            if (c.Endpoint.TakesBody)
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request, ct);
            var type = response.Content.Headers.ContentType?.MediaType;
            if (response.StatusCode != HttpStatusCode.Unauthorized || type != "application/problem+json")
            {
                failures.Add($"{c.Endpoint.Name} with {c.Shape.Name}: {(int)response.StatusCode} {type}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} cases were not 401 problems:\n" + string.Join("\n", failures.Order().Take(40)));

        // The valid token the corpus is built from is accepted, so the refusals above are about the shapes.
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        me.Headers.TryAddWithoutValidation("Authorization", "Bearer " + valid);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(me)).StatusCode);
    }

    [Theory]
    [InlineData("bhk_not-a-real-key")]
    [InlineData("bhk_!!!!")]
    [InlineData("bhk_")]
    [InlineData("bhk_====")]
    [InlineData("bhk_ключ")]
    public void a_malformed_api_key_does_not_parse_and_does_not_throw(string key) =>
        Assert.Equal(ApiKeyForm.Malformed, TenantApiKey.Parse(key, Signing, out _, out _));

    [Fact]
    public void a_well_formed_api_key_parses_to_its_tenant_and_key_ids()
    {
        var tenant = Guid.CreateVersion7();
        var keyId = Guid.CreateVersion7();

        Assert.Equal(ApiKeyForm.Tagged, TenantApiKey.Parse(TenantApiKey.Create(tenant, keyId, Signing), Signing, out var parsedTenant, out var parsedKey));
        Assert.Equal((tenant, keyId), (parsedTenant, parsedKey));
        Assert.Equal(ApiKeyForm.Malformed, TenantApiKey.Parse(TenantApiKey.Create(tenant, keyId, Signing) + "A", Signing, out _, out _));
        Assert.Equal(ApiKeyForm.Forged, TenantApiKey.Parse(TenantApiKey.Create(tenant, keyId, RandomNumberGenerator.GetBytes(32)), Signing, out _, out _));
    }

    private static byte[] Signing { get; } = RandomNumberGenerator.GetBytes(32);

    private List<(string Name, string Header)> Corpus(Guid tenant, string valid)
    {
        var signing = api.Server.Services.GetRequiredService<ApiKeySigning>().Key;
        var key = TenantApiKey.Create(tenant, Guid.CreateVersion7(), signing);
        return
        [
            ("an empty header", ""),
            ("the scheme alone", "Bearer"),
            ("the scheme and a space", "Bearer "),
            ("a truncated token", "Bearer " + valid[..^12]),
            ("a token with junk appended", "Bearer " + valid + "junk"),
            ("a token with its signature stripped", "Bearer " + valid[..(valid.LastIndexOf('.') + 1)]),
            ("an oversized token", "Bearer " + new string('A', 12 * 1024)),
            ("the Basic scheme", "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("mallory:hunter2"))),
            ("the Digest scheme", "Digest username=\"mallory\", realm=\"bulkhead\""),
            ("a token without a scheme", valid),
            ("non-ASCII text", "Bearer ключ-доступа"),
            ("a control character", "Bearer abc\u0001def"),
            ("a tab inside", "Bearer abc\tdef"),
            ("an API key that is not base64url", "Bearer bhk_not-a-real-key"),
            ("an API key with a padding character", "Bearer bhk_" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(64)) + "="),
            ("a truncated API key", "Bearer " + key[..^10]),
            ("an API key with junk appended", "Bearer " + key + "!!"),
            ("the key prefix alone", "Bearer bhk_"),
            ("a well-formed API key of this tenant that was never issued", "Bearer " + key),
            ("a well-formed API key of a tenant that does not exist", "Bearer " + TenantApiKey.Create(Guid.CreateVersion7(), Guid.CreateVersion7(), signing)),
            ("an API key tagged with another server's key", "Bearer " + TenantApiKey.Create(tenant, Guid.CreateVersion7(), RandomNumberGenerator.GetBytes(32))),
            ("an API key in the untagged form", "Bearer bhk_" + Base64UrlEncoder.Encode([.. tenant.ToByteArray(), .. RandomNumberGenerator.GetBytes(48)])),
        ];
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteValue();
}
