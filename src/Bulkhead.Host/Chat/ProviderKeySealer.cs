using System.Security.Cryptography;
using System.Text;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Seals a tenant's own provider key with AES-GCM under a server secret, with the tenant id as associated
/// data: a sealed key copied into another tenant's row does not open. The plain key lives only in memory
/// for the call that uses it. The secret is checked at start-up (<see cref="ProviderKeyCheck"/>).
/// </summary>
public sealed class ProviderKeySealer(IOptions<BulkheadOptions> options)
{
    public const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Lazy<byte[]> _key = new(() => ReadKey(options.Value.Chat) is { Key: { } key } ? key
        : throw new InvalidOperationException(ReadKey(options.Value.Chat).Problem));

    /// <summary>The sealing key from Bulkhead:Chat:ProviderKeySecret, or the development key file; or why it cannot be used.</summary>
    public static (byte[]? Key, string? Problem) ReadKey(ChatServerOptions chat)
    {
        if (chat.ProviderKeySecret is { Length: > 0 } secret)
        {
            var key = new byte[secret.Length];
            return Convert.TryFromBase64String(secret, key, out var length) && length == KeySize
                ? (key[..KeySize], null)
                : (null, $"Bulkhead:Chat:ProviderKeySecret must be base64 of exactly {KeySize} random bytes (an AES-256 key, the same on every instance), "
                    + $"for example from 'openssl rand -base64 {KeySize}'; it {(Convert.TryFromBase64String(secret, key, out length) ? $"decodes to {length} bytes" : "is not base64")}.");
        }

        var path = Path.Combine(BulkheadConfiguration.Home, "provider-key.key");
        var file = SecretFile.ReadOrCreate(path, () => RandomNumberGenerator.GetBytes(KeySize));
        return file.Length == KeySize
            ? (file, null)
            : (null, $"The provider-key sealing key {path} holds {file.Length} bytes, not {KeySize}: restore the original file, or set Bulkhead:Chat:ProviderKeySecret.");
    }

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
