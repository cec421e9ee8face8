using System.Net;
using System.Security.Cryptography;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.Auth;

/// <summary>Where signing keys may come from: https or loopback http, and the development key only when asked for.</summary>
public sealed class TokenTrustTests
{
    [Theory]
    [InlineData("http://idp.example.com/.well-known/jwks.json")]
    [InlineData("http://10.0.0.5/jwks")]
    [InlineData("http://localhost.example.com/jwks")]
    public void an_http_jwks_url_on_the_network_let_anyone_on_the_path_inject_a_signing_key(string url)
    {
        var problem = TokenTrust.Problem(new AuthOptions { JwksUrl = url });

        Assert.NotNull(problem);
        Assert.Contains("Bulkhead:Auth:JwksUrl is http on a non-loopback host", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void an_http_authority_on_the_network_is_refused_too()
    {
        Assert.Contains("Bulkhead:Auth:Authority is http", TokenTrust.Problem(new AuthOptions { Authority = "http://idp.example.com/" }), StringComparison.Ordinal);
        Assert.Contains("absolute https URL", TokenTrust.Problem(new AuthOptions { JwksUrl = "ftp://idp.example.com/jwks" }), StringComparison.Ordinal);
        Assert.Contains("absolute https URL", TokenTrust.Problem(new AuthOptions { JwksUrl = "/jwks" }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://idp.example.com/jwks")]
    [InlineData("http://127.0.0.1:8080/jwks")]
    [InlineData("http://localhost:8080/jwks")]
    [InlineData("http://[::1]:8080/jwks")]
    public void https_and_loopback_http_jwks_urls_are_trusted(string url) =>
        Assert.Null(TokenTrust.Problem(new AuthOptions { JwksUrl = url }));

    [Fact]
    public void no_authority_and_no_jwks_url_silently_trusted_the_local_development_key()
    {
        var problem = TokenTrust.Problem(new AuthOptions { SigningKeyFile = "/tmp/key.pem" });

        Assert.NotNull(problem);
        foreach (var setting in new[] { "Bulkhead:Auth:Authority", "Bulkhead:Auth:JwksUrl", "Bulkhead:Auth:DevelopmentKey=true" })
        {
            Assert.Contains(setting, problem, StringComparison.Ordinal);
        }

        Assert.Null(TokenTrust.Problem(new AuthOptions { DevelopmentKey = true, SigningKeyFile = "/tmp/key.pem" }));
    }

    [Fact]
    public void development_mode_next_to_an_identity_provider_is_refused_as_ambiguous()
    {
        Assert.Contains("exactly one", TokenTrust.Problem(new AuthOptions { DevelopmentKey = true, SigningKeyFile = "k", JwksUrl = "https://idp.example.com/jwks" }), StringComparison.Ordinal);
        Assert.Contains("exactly one", TokenTrust.Problem(new AuthOptions { Authority = "https://idp.example.com/", JwksUrl = "https://idp.example.com/jwks" }), StringComparison.Ordinal);
    }

    [Fact]
    public void a_server_without_development_mode_or_an_identity_provider_refuses_to_build_and_names_the_settings()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => BulkheadApp.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bulkhead:DatabaseConnection"] = "Host=127.0.0.1;Database=none",
            ["Bulkhead:CursorKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Bulkhead:Auth:DevelopmentKey"] = "false",
            ["Bulkhead:Auth:Authority"] = "",
            ["Bulkhead:Auth:JwksUrl"] = "",
        })));

        Assert.Contains("Bulkhead:Auth:DevelopmentKey=true", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Bulkhead:Auth:JwksUrl", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_server_that_trusts_a_loopback_jwks_accepts_its_tokens_without_development_mode()
    {
        var key = TestKeys.Key.Rsa.ExportParameters(includePrivateParameters: false);
        var jwks = $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{TestKeys.Key.KeyId}}","n":"{{Base64UrlEncoder.Encode(key.Modulus)}}","e":"{{Base64UrlEncoder.Encode(key.Exponent)}}"}]}""";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var issuer = builder.Build();
        issuer.MapGet("/jwks", () => Results.Text(jwks, "application/json"));
        await issuer.StartAsync();
        var url = issuer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/jwks";
        await using var database = await TestDatabase.CreateAsync();
        var tenant = await database.CreateTenantAsync();

        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Bulkhead:Auth:DevelopmentKey"] = "false",
            ["Bulkhead:Auth:JwksUrl"] = url,
        });

        Assert.Equal(HttpStatusCode.OK, (await server.Client(TestKeys.Token(tenant.Id, "ada")).GetAsync("/api/me")).StatusCode);
        await issuer.StopAsync();
    }
}
