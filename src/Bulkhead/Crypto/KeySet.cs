using System.Text.Json;

namespace Bulkhead.Crypto;

/// <summary>The stored form of a tenant's or a user's keys (JSON, wrapped keys in base64), newest first.</summary>
public sealed record KeySet(IReadOnlyList<StoredKey> Keys)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>
    /// Merges the copies a provider holds into one set. Two instances that created the same set at once
    /// both keep working: every key of every copy still opens what it sealed, and all pick the same
    /// current key (the copies ordered by their bytes).
    /// </summary>
    public static KeySet? Merge(IReadOnlyList<byte[]> copies)
    {
        if (copies.Count == 0)
        {
            return null;
        }

        var keys = copies.OrderBy(c => Convert.ToHexString(c), StringComparer.Ordinal)
            .SelectMany(c => JsonSerializer.Deserialize<KeySet>(c, Json)?.Keys ?? [])
            .DistinctBy(k => k.Id)
            .ToList();
        return new KeySet(keys);
    }
}
