using System.Security.Cryptography;
using System.Text;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Seals a tenant's own provider key with AES-GCM under a server secret, with the tenant id as associated
/// data: a sealed key copied into another tenant's row does not open. The plain key lives only in memory
/// for the call that uses it.
/// </summary>
public sealed class ProviderKeySealer(IOptions<BulkheadOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Lazy<byte[]> _key = new(() => options.Value.Chat.ProviderKeySecret is { Length: > 0 } secret
        ? Convert.FromBase64String(secret)
        : SecretFile.ReadOrCreate(Path.Combine(BulkheadConfiguration.Home, "provider-key.key"), () => RandomNumberGenerator.GetBytes(32)));

    public byte[] Seal(Guid tenantId, string providerKey)
    {
        var plain = Encoding.UTF8.GetBytes(providerKey);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, NonceSize));
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Encrypt(sealedBytes.AsSpan(0, NonceSize), plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), tenantId.ToByteArray());
        return sealedBytes;
    }

    public string Open(Guid tenantId, byte[] sealedBytes)
    {
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), plain, tenantId.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }
}
