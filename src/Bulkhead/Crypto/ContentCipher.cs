using System.Security.Cryptography;
using System.Text;

namespace Bulkhead.Crypto;

/// <summary>
/// Seals and opens one tenant's content. A sealed value is: version (1) | key id (16) | nonce (12) |
/// ciphertext | tag (16), AES-256-GCM, with the <see cref="SealedField"/> as associated data. Version 0 is a
/// value written before encryption (the migration that introduced sealing kept it as it was); it opens as
/// plain text until <c>./bulkhead keys rotate</c> seals it.
/// </summary>
public sealed partial class ContentCipher(KeyRing ring, Guid tenant)
{
    public const byte Legacy = 0;
    public const byte Version = 1;
    private const int HeaderSize = 17;

    public Guid Tenant => tenant;

    public byte[] Seal(SealedField field, string text)
    {
        var (id, key) = field.User is { } user
            ? ring.User(tenant, user, create: true) is { } keys ? (keys.Current, keys.Keys[keys.Current]) : throw new CryptographicException("No user key.")
            : (ring.Tenant(tenant).Current, ring.Tenant(tenant).Data[ring.Tenant(tenant).Current]);
        Span<byte> header = stackalloc byte[HeaderSize];
        header[0] = Version;
        id.TryWriteBytes(header[1..]);
        return AesGcmBox.Seal(key, Encoding.UTF8.GetBytes(text), field.AssociatedData(tenant), header);
    }

    public string? OpenOrNull(SealedField field, byte[]? value) => value is null ? null : Open(field, value);

    /// <exception cref="SealBrokenException">The value does not open here; it is never returned in any form.</exception>
    public string Open(SealedField field, byte[] value)
    {
        if (value.Length > 0 && value[0] == Legacy)
        {
            return Encoding.UTF8.GetString(value, 1, value.Length - 1);
        }

        if (value.Length < HeaderSize + AesGcmBox.NonceSize + AesGcmBox.TagSize || value[0] != Version)
        {
            throw Broken(field, "unknown format");
        }

        var id = new Guid(value.AsSpan(1, 16));
        byte[]? key;
        if (field.User is { } user)
        {
            var keys = ring.User(tenant, user, create: false, holding: id) ?? throw Broken(field, "the user's key was destroyed");
            key = keys.Keys.GetValueOrDefault(id);
        }
        else
        {
            key = ring.Tenant(tenant, id).Data.GetValueOrDefault(id);
        }

        if (key is null)
        {
            throw Broken(field, "its key is not the owner's");
        }

        try
        {
            return AesGcmBox.OpenText(key, value.AsSpan(HeaderSize), field.AssociatedData(tenant));
        }
        catch (CryptographicException)
        {
            throw Broken(field, "it was not sealed for this place");
        }
    }

    /// <summary>
    /// The blind index of a text: HMAC-SHA256 (first 16 bytes) of each distinct normalised word under the
    /// tenant's index key. Equal words give equal terms, so a search matches by equality without plain text.
    /// </summary>
    public byte[][] Terms(string text)
    {
        var key = ring.Tenant(tenant).Index;
        return Words(text).Select(w => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(w))[..16]).ToArray();
    }

    /// <summary>Lower-case words of letters and digits, distinct, at most 32.</summary>
    public static IEnumerable<string> Words(string text) =>
        NonWord().Split(text.Normalize(NormalizationForm.FormKC).ToLowerInvariant())
            .Where(w => w.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Take(32);

    [System.Text.RegularExpressions.GeneratedRegex(@"[^\p{L}\p{Nd}]+")]
    private static partial System.Text.RegularExpressions.Regex NonWord();

    private SealBrokenException Broken(SealedField field, string reason) => new(tenant, field.Table, field.Row, field.Column, reason);
}
