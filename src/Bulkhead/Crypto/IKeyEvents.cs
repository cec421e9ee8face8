namespace Bulkhead.Crypto;

/// <summary>
/// Told when the key ring makes a tenant's or a user's keys, so that the creation reaches the tenant's audit
/// trail (<c>key.create</c>) without a round trip on the request that caused it.
/// </summary>
public interface IKeyEvents
{
    /// <param name="key">The keys' name in the provider (<see cref="KeyNames"/>).</param>
    void Created(Guid tenant, string key);
}
