using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Bulkhead.Crypto;

/// <summary>AES-256-GCM with a random nonce: nonce(12) | ciphertext | tag(16), written after an optional header.</summary>
/// <remarks>
/// An <see cref="AesGcm"/> holds its key schedule, and making one costs more than opening a title with it, so the
/// ciphers of a cached key (a <c>byte[]</c> held by <see cref="KeyRing"/>) are pooled next to the key and go
/// with it when it is evicted. An instance is used by one thread at a time.
/// </remarks>
public static class AesGcmBox
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    private static readonly ConditionalWeakTable<byte[], CipherPool> Pools = new();

    public static byte[] Seal(byte[] key, ReadOnlySpan<byte> plain, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> header = default)
    {
        var box = new byte[header.Length + NonceSize + plain.Length + TagSize];
        header.CopyTo(box);
        var nonce = box.AsSpan(header.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var pool = PoolOf(key);
        var aes = pool.Rent();
        try
        {
            aes.Encrypt(nonce, plain, box.AsSpan(header.Length + NonceSize, plain.Length), box.AsSpan(box.Length - TagSize), aad);
        }
        finally
        {
            pool.Return(aes);
        }

        return box;
    }

    /// <summary>Opens what <see cref="Seal"/> made (without its header); throws <see cref="CryptographicException"/> when anything differs.</summary>
    public static byte[] Open(byte[] key, ReadOnlySpan<byte> box, ReadOnlySpan<byte> aad)
    {
        var plain = new byte[PlainLength(box)];
        Decrypt(key, box, aad, plain);
        return plain;
    }

    /// <summary><see cref="Open"/> of UTF-8 text, without keeping the plain bytes.</summary>
    public static string OpenText(byte[] key, ReadOnlySpan<byte> box, ReadOnlySpan<byte> aad)
    {
        var length = PlainLength(box);
        var rented = length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> plain = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            Decrypt(key, box, aad, plain);
            return Encoding.UTF8.GetString(plain);
        }
        finally
        {
            plain.Clear();
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int PlainLength(ReadOnlySpan<byte> box) =>
        box.Length >= NonceSize + TagSize ? box.Length - NonceSize - TagSize : throw new CryptographicException("The sealed value is too short.");

    private static void Decrypt(byte[] key, ReadOnlySpan<byte> box, ReadOnlySpan<byte> aad, Span<byte> plain)
    {
        var pool = PoolOf(key);
        var aes = pool.Rent();
        try
        {
            aes.Decrypt(box[..NonceSize], box.Slice(NonceSize, plain.Length), box[^TagSize..], plain, aad);
        }
        finally
        {
            pool.Return(aes);
        }
    }

    private static CipherPool PoolOf(byte[] key) => Pools.GetValue(key, static k => new CipherPool(k));

    /// <summary>A few ciphers for one key, taken and given back without a lock.</summary>
    private sealed class CipherPool(byte[] key)
    {
        private readonly AesGcm?[] _idle = new AesGcm?[Math.Min(Environment.ProcessorCount, 16)];

        public AesGcm Rent()
        {
            for (var i = 0; i < _idle.Length; i++)
            {
                if (Volatile.Read(ref _idle[i]) is not null && Interlocked.Exchange(ref _idle[i], null) is { } aes)
                {
                    return aes;
                }
            }

            return new AesGcm(key, TagSize);
        }

        public void Return(AesGcm aes)
        {
            for (var i = 0; i < _idle.Length; i++)
            {
                if (Interlocked.CompareExchange(ref _idle[i], aes, null) is null)
                {
                    return;
                }
            }

            aes.Dispose();
        }
    }
}
