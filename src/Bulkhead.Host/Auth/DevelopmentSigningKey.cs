using System.Security.Cryptography;
using System.Text;
using Bulkhead.Host.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Host.Auth;

/// <summary>The local RSA key that signs development tokens (<c>./bulkhead token</c>) and that the server trusts only with <c>Bulkhead:Auth:DevelopmentKey=true</c>.</summary>
public static class DevelopmentSigningKey
{
    public static RsaSecurityKey Load(string path)
    {
        var pem = SecretFile.ReadOrCreate(path, () =>
        {
            using var created = RSA.Create(2048);
            return Encoding.ASCII.GetBytes(created.ExportPkcs8PrivateKeyPem());
        });
        var rsa = RSA.Create();
        rsa.ImportFromPem(Encoding.ASCII.GetString(pem));
        return new RsaSecurityKey(rsa) { KeyId = KeyId(rsa) };
    }

    private static string KeyId(RSA rsa) =>
        Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
}
