namespace Bulkhead.Crypto;

/// <summary>
/// One wrapped key of a key set: its id (the id sealed values name), what it is for (<c>data</c> or
/// <c>index</c>), and what wrapped it (a KEK id for a tenant's keys, a tenant key id for a user's).
/// </summary>
public sealed record StoredKey(Guid Id, string Purpose, string WrappedBy, byte[] Wrapped)
{
    public const string Data = "data";
    public const string Index = "index";
}
