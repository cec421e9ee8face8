using System.Security.Cryptography;

namespace Bulkhead.Audit;

/// <summary>
/// The Merkle tree hash of RFC 6962 (section 2.1): a leaf is SHA-256(0x00 || data), an inner node
/// SHA-256(0x01 || left || right), and a list of n > 1 leaves splits at the largest power of two below n.
/// The distinct prefixes keep a leaf from ever passing for a node.
/// </summary>
public static class MerkleTree
{
    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        var bytes = new byte[data.Length + 1];
        data.CopyTo(bytes.AsSpan(1));
        return SHA256.HashData(bytes);
    }

    /// <summary>The root over leaf hashes in order; the empty tree's root is SHA-256 of nothing.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leaves) => leaves.Count == 0 ? SHA256.HashData([]) : Node(leaves, 0, leaves.Count);

    private static byte[] Node(IReadOnlyList<byte[]> leaves, int start, int count)
    {
        if (count == 1)
        {
            return leaves[start];
        }

        var split = 1;
        while (split * 2 < count)
        {
            split *= 2;
        }

        Span<byte> pair = stackalloc byte[65];
        pair[0] = 0x01;
        Node(leaves, start, split).CopyTo(pair[1..]);
        Node(leaves, start + split, count - split).CopyTo(pair[33..]);
        return SHA256.HashData(pair);
    }
}
