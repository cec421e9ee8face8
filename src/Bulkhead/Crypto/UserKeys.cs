namespace Bulkhead.Crypto;

/// <summary>A user's unwrapped content keys by id; the current one seals.</summary>
public sealed record UserKeys(Guid Current, IReadOnlyDictionary<Guid, byte[]> Keys);
