using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Host.Api;

/// <summary>
/// Opaque pagination cursors: the last key of a page, sealed with AES-GCM under a server key, with the
/// tenant, caller and list as associated data. A cursor replayed by another tenant, user or list fails
/// authentication and is never decoded into a key.
/// </summary>
public sealed class CursorCodec(byte[] key)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public string Encode(Guid after, string binding)
    {
        var plain = after.ToByteArray();
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Encoding.UTF8.GetBytes(binding));
        return Base64UrlEncoder.Encode(sealedBytes);
    }

    public bool TryDecode(string cursor, string binding, out Guid after)
    {
        after = Guid.Empty;
        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64UrlEncoder.DecodeBytes(cursor);
        }
        catch (FormatException)
        {
            return false;
        }

        if (sealedBytes.Length != NonceSize + 16 + TagSize)
        {
            return false;
        }

        var plain = new byte[16];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, 16), sealedBytes.AsSpan(NonceSize + 16), plain, Encoding.UTF8.GetBytes(binding));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        after = new Guid(plain);
        return true;
    }
}
