using System.Security.Cryptography;

namespace Bulkhead.Crypto;

/// <summary>AES-256-GCM with a random nonce: nonce(12) | ciphertext | tag(16), written after an optional header.</summary>
public static class AesGcmBox
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plain, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> header = default)
    {
        var box = new byte[header.Length + NonceSize + plain.Length + TagSize];
        header.CopyTo(box);
        var nonce = box.AsSpan(header.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, box.AsSpan(header.Length + NonceSize, plain.Length), box.AsSpan(box.Length - TagSize), aad);
        return box;
    }

    /// <summary>Opens what <see cref="Seal"/> made (without its header); throws <see cref="CryptographicException"/> when anything differs.</summary>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> box, ReadOnlySpan<byte> aad)
    {
        if (box.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The sealed value is too short.");
        }

        var plain = new byte[box.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(box[..NonceSize], box.Slice(NonceSize, plain.Length), box[^TagSize..], plain, aad);
        return plain;
    }
}
