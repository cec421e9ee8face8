using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulkhead.Host.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.Auth;

/// <summary>Tokens an attacker could send, built by hand: what the server must refuse.</summary>
public static class ForgedTokens
{
    public static string Sign(
        IDictionary<string, object> claims,
        SecurityKey? key = null,
        string algorithm = SecurityAlgorithms.RsaSha256,
        string issuer = TestKeys.Issuer,
        string audience = TestKeys.Audience,
        DateTime? notBefore = null,
        DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore ?? now,
            NotBefore = notBefore ?? now,
            Expires = expires ?? now.AddHours(1),
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? TestKeys.Key, algorithm),
        });
    }

    public static Dictionary<string, object> Claims(Guid? tenant, string? sub = "mallory", string role = Roles.Member)
    {
        var claims = new Dictionary<string, object> { [Bulkhead.Host.Auth.Claims.Role] = role };
        if (tenant is { } tid)
        {
            claims[Bulkhead.Host.Auth.Claims.Tenant] = tid.ToString();
        }

        if (sub is not null)
        {
            claims[Bulkhead.Host.Auth.Claims.Subject] = sub;
        }

        return claims;
    }

    /// <summary>An unsigned token: header <c>{"alg":"none"}</c> and an empty signature.</summary>
    public static string Unsigned(IDictionary<string, object> claims)
    {
        var payload = new Dictionary<string, object>(claims)
        {
            ["iss"] = TestKeys.Issuer,
            ["aud"] = TestKeys.Audience,
            ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
            ["nbf"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        return Base64Url("""{"alg":"none","typ":"JWT"}""") + "." + Base64Url(JsonSerializer.Serialize(payload)) + ".";
    }

    /// <summary>The classic algorithm confusion: HS256 with the server's public RSA key as the HMAC secret.</summary>
    public static string SignedWithPublicKeyAsSecret(IDictionary<string, object> claims, bool pem)
    {
        var rsa = TestKeys.Key.Rsa;
        var secret = pem ? Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()) : rsa.ExportSubjectPublicKeyInfo();
        return Sign(claims, new SymmetricSecurityKey(secret), SecurityAlgorithms.HmacSha256);
    }

    /// <summary>A key the server does not trust; its kid goes into the token header as it is.</summary>
    public static RsaSecurityKey OtherKey(string kid = "attacker") => new(RSA.Create(2048)) { KeyId = kid };

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
