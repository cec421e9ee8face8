namespace Bulkhead.Crypto;

/// <summary>A tenant's unwrapped keys: its data keys by id (the current one seals), and its blind-index key.</summary>
public sealed record TenantKeys(Guid Tenant, Guid Current, IReadOnlyDictionary<Guid, byte[]> Data, byte[] Index, string Kek);
