using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.WebConsole;

/// <summary>
/// A minimal OpenID Connect authority on a loopback port, real HTTP: discovery, JWKS, an authorize endpoint that
/// signs in <see cref="Subject"/> at once, and a token endpoint that insists on PKCE (S256). It issues an id token
/// for the client and an access token in the API's shape (tid, sub, role) for <see cref="Audience"/>.
/// </summary>
public sealed class FakeOidcAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "fake-" + Guid.NewGuid().ToString("N")[..8] };
    private readonly ConcurrentDictionary<string, Grant> _grants = new();
    private readonly ConcurrentQueue<string> _accessTokens = new();

    private FakeOidcAuthority(WebApplication app) => _app = app;

    public string Issuer { get; private set; } = "";

    public required string Audience { get; init; }

    /// <summary>Who signs in: the tenant, the user and the role the access token names.</summary>
    public (Guid Tenant, string Sub, string Role) Subject { get; set; }

    /// <summary>Token requests whose code_verifier matched the code_challenge of their authorization.</summary>
    public int VerifiedPkce { get; private set; }

    /// <summary>Token requests refused, with why.</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    public IReadOnlyList<string> AccessTokens => _accessTokens.ToArray();

    public static async Task<FakeOidcAuthority> StartAsync(string audience)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var authority = new FakeOidcAuthority(app) { Audience = audience };
        app.MapGet("/.well-known/openid-configuration", authority.Discovery);
        app.MapGet("/jwks", () => Results.Json(new { keys = new[] { JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(authority._key.Rsa.ExportParameters(false)) { KeyId = authority._key.KeyId }) } }));
        app.MapGet("/authorize", authority.Authorize);
        app.MapPost("/token", authority.TokenAsync);
        await app.StartAsync();
        authority.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return authority;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult Discovery() => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = Issuer,
        ["authorization_endpoint"] = Issuer + "/authorize",
        ["token_endpoint"] = Issuer + "/token",
        ["jwks_uri"] = Issuer + "/jwks",
        ["response_types_supported"] = new[] { "code" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["token_endpoint_auth_methods_supported"] = new[] { "none", "client_secret_post" },
    });

    // Signs the subject in without a form and answers with the client's response mode (form_post or query).
    private IResult Authorize(HttpRequest request)
    {
        var q = request.Query;
        if (q["response_type"] != "code" || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]))
        {
            Refusals.Enqueue($"authorize without PKCE S256: {request.QueryString}");
            return Results.BadRequest("code flow with PKCE (S256) only");
        }

        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        _grants[code] = new Grant(q["client_id"]!, q["redirect_uri"]!, q["code_challenge"]!, q["nonce"], Subject);
        var redirect = q["redirect_uri"].ToString();
        var state = q["state"].ToString();
        if (q["response_mode"] == "form_post")
        {
            var html = $"""
                <!doctype html><html><body><form method="post" action="{Encode(redirect)}">
                <input type="hidden" name="code" value="{Encode(code)}"><input type="hidden" name="state" value="{Encode(state)}">
                </form><script>document.forms[0].submit()</script></body></html>
                """;
            return Results.Content(html, "text/html");
        }

        return Results.Redirect($"{redirect}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}");
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "authorization_code" || !_grants.TryRemove(form["code"].ToString(), out var grant))
        {
            Refusals.Enqueue("unknown code");
            return Results.BadRequest(new { error = "invalid_grant" });
        }

        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString())));
        if (form["code_verifier"].Count == 0 || challenge != grant.Challenge || form["redirect_uri"] != grant.RedirectUri || form["client_id"] != grant.ClientId)
        {
            Refusals.Enqueue("PKCE verifier, redirect_uri or client_id does not match the authorization");
            return Results.BadRequest(new { error = "invalid_grant" });
        }

        VerifiedPkce++;
        var (tenant, sub, role) = grant.Subject;
        var now = DateTime.UtcNow;
        var handler = new JsonWebTokenHandler();
        var signing = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256);
        var idClaims = new Dictionary<string, object> { ["sub"] = sub };
        if (grant.Nonce is { Length: > 0 } nonce)
        {
            idClaims["nonce"] = nonce;
        }

        var id = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = grant.ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = idClaims,
            SigningCredentials = signing,
        });
        var access = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = signing,
            Subject = new ClaimsIdentity([new Claim("sub", sub), new Claim("tid", tenant.ToString()), new Claim("role", role)]),
        });
        _accessTokens.Enqueue(access);
        return Results.Json(new { access_token = access, id_token = id, token_type = "Bearer", expires_in = 3600 });
    }

    private static string Encode(string value) => System.Net.WebUtility.HtmlEncode(value);

    private sealed record Grant(string ClientId, string RedirectUri, string Challenge, string? Nonce, (Guid Tenant, string Sub, string Role) Subject);
}
