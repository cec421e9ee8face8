using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Bulkhead.Chat;

/// <summary>
/// The format of a tenant API key: <c>bhk_</c> and base64url of tenant id, key id, 32 random bytes and a
/// 16-byte tag, an HMAC-SHA256 of the rest under the server's key-signing key. The tag is checked before
/// anything else, with no I/O: a key the server did not issue is refused without touching the control
/// plane or any tenant's database, so a forged tenant id costs an attacker's request and nothing more.
/// Only the SHA-256 of the whole key, stored in that tenant's rows, says whether the key is still live.
/// Keys issued before the tag existed (no tag, 64 bytes) parse as <see cref="ApiKeyForm.Untagged"/>; the
/// handler looks them up only within a per-address budget of failures.
/// </summary>
public static class TenantApiKey
{
    public const string Prefix = "bhk_";
    private const int SecretBytes = 32;
    private const int TagBytes = 16;
    private const int UntaggedBytes = 16 + 16 + SecretBytes;
    private const int TaggedBytes = UntaggedBytes + TagBytes;

    public static string Create(Guid tenantId, Guid keyId, ReadOnlySpan<byte> signingKey)
    {
        var payload = new byte[TaggedBytes];
        tenantId.TryWriteBytes(payload.AsSpan(0, 16));
        keyId.TryWriteBytes(payload.AsSpan(16, 16));
        RandomNumberGenerator.Fill(payload.AsSpan(32, SecretBytes));
        Tag(signingKey, payload.AsSpan(0, UntaggedBytes), payload.AsSpan(UntaggedBytes));
        return Prefix + Base64Url.EncodeToString(payload);
    }

    public static ApiKeyForm Parse(string? key, ReadOnlySpan<byte> signingKey, out Guid tenantId, out Guid keyId)
    {
        tenantId = keyId = Guid.Empty;
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length > 200)
        {
            return ApiKeyForm.Malformed;
        }

        // DecodeFromChars reports bad input as a status; TryDecodeFromChars throws on a character outside base64url.
        Span<byte> payload = stackalloc byte[TaggedBytes + 3];
        var encoded = key.AsSpan(Prefix.Length);
        if (Base64Url.DecodeFromChars(encoded, payload, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != encoded.Length || written is not (UntaggedBytes or TaggedBytes))
        {
            return ApiKeyForm.Malformed;
        }

        tenantId = new Guid(payload[..16]);
        keyId = new Guid(payload[16..32]);
        if (tenantId == Guid.Empty || keyId == Guid.Empty)
        {
            return ApiKeyForm.Malformed;
        }

        if (written == UntaggedBytes)
        {
            return ApiKeyForm.Untagged;
        }

        Span<byte> expected = stackalloc byte[TagBytes];
        Tag(signingKey, payload[..UntaggedBytes], expected);
        return CryptographicOperations.FixedTimeEquals(expected, payload.Slice(UntaggedBytes, TagBytes)) ? ApiKeyForm.Tagged : ApiKeyForm.Forged;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>What a list shows to tell keys apart: the prefix and the last four characters.</summary>
    public static string Hint(string key) => Prefix + "…" + key[^4..];

    /// <summary>The key-signing key, derived from the server's secret so that every instance agrees on it.</summary>
    public static byte[] SigningKey(ReadOnlySpan<byte> serverSecret) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, serverSecret.ToArray(), 32, salt: [], info: "bulkhead api-key tag v1"u8.ToArray());

    private static void Tag(ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> body, Span<byte> tag)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(signingKey, body, mac);
        mac[..TagBytes].CopyTo(tag);
    }
}

/// <summary>What the shape of a presented key says before any lookup.</summary>
public enum ApiKeyForm
{
    /// <summary>Not a key at all.</summary>
    Malformed,

    /// <summary>Shaped like a key, but its tag is not the server's: refused with no lookup.</summary>
    Forged,

    /// <summary>Issued by this server (or one sharing its secret); still to be checked against the stored hash.</summary>
    Tagged,

    /// <summary>A key from before tags: looked up within the caller's failure budget.</summary>
    Untagged,
}
