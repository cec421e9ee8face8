using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Bulkhead.Chat;

/// <summary>
/// The format of a tenant API key: <c>bhk_</c> and base64url of tenant id, key id and 32 random bytes. The
/// tenant and key ids say where to look; only the SHA-256 of the whole key, stored in that tenant's rows,
/// says whether the key is real, so a forged tenant id gets nowhere.
/// </summary>
public static class TenantApiKey
{
    public const string Prefix = "bhk_";
    private const int SecretBytes = 32;
    private const int PayloadBytes = 16 + 16 + SecretBytes;

    public static string Create(Guid tenantId, Guid keyId)
    {
        var payload = new byte[PayloadBytes];
        tenantId.TryWriteBytes(payload.AsSpan(0, 16));
        keyId.TryWriteBytes(payload.AsSpan(16, 16));
        RandomNumberGenerator.Fill(payload.AsSpan(32));
        return Prefix + Base64Url.EncodeToString(payload);
    }

    public static bool TryParse(string? key, out Guid tenantId, out Guid keyId)
    {
        tenantId = keyId = Guid.Empty;
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length > 200)
        {
            return false;
        }

        // DecodeFromChars reports bad input as a status; TryDecodeFromChars throws on a character outside base64url.
        Span<byte> payload = stackalloc byte[PayloadBytes + 3];
        var encoded = key.AsSpan(Prefix.Length);
        if (Base64Url.DecodeFromChars(encoded, payload, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != encoded.Length || written != PayloadBytes)
        {
            return false;
        }

        tenantId = new Guid(payload[..16]);
        keyId = new Guid(payload[16..32]);
        return tenantId != Guid.Empty && keyId != Guid.Empty;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>What a list shows to tell keys apart: the prefix and the last four characters.</summary>
    public static string Hint(string key) => Prefix + "…" + key[^4..];
}
