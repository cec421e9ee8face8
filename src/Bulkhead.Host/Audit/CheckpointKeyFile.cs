using System.Security.Cryptography;
using System.Text;
using Bulkhead.Audit;
using Bulkhead.Host.Hosting;

namespace Bulkhead.Host.Audit;

/// <summary>
/// The checkpoint signing key as a file outside the database: ECDSA P-256, PKCS#8 PEM, created on first
/// use readable by its owner only. No database role can read it, so the database owner cannot sign a
/// rolled-back trail. A hardware key store implements <see cref="ICheckpointKey"/> the same way.
/// </summary>
public sealed class CheckpointKeyFile : ICheckpointKey, IDisposable
{
    private readonly ECDsa _key;

    private CheckpointKeyFile(ECDsa key)
    {
        _key = key;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }

    public string KeyId { get; }

    /// <summary>The public key, for witnesses and verifiers that should not hold the private one.</summary>
    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    public static CheckpointKeyFile Load(string path)
    {
        var pem = SecretFile.ReadOrCreate(path, () =>
        {
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return Encoding.ASCII.GetBytes(created.ExportPkcs8PrivateKeyPem());
        });
        var key = ECDsa.Create();
        key.ImportFromPem(Encoding.ASCII.GetString(pem));
        return new CheckpointKeyFile(key);
    }

    public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256);

    public bool Verify(byte[] data, byte[] signature) => _key.VerifyData(data, signature, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();
}
