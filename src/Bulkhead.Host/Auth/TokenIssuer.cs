using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Host.Auth;

/// <summary>Signs development tokens with the local key. Production tokens come from your identity provider.</summary>
public sealed class TokenIssuer(SecurityKey key, string issuer, string audience, TimeProvider time)
{
    public string Issue(Guid? tenantId, string sub, string role, TimeSpan lifetime)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [Claims.Subject] = sub,
            [Claims.Role] = role,
            [Claims.TokenId] = Guid.CreateVersion7().ToString(),
        };
        if (tenantId is { } tid)
        {
            claims[Claims.Tenant] = tid.ToString();
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }
}
