using System.Security.Cryptography;

namespace Bulkhead.Crypto;

/// <summary>
/// The key hierarchy and its cache. A KEK in the provider wraps each tenant's data and blind-index keys;
/// a tenant data key wraps each of the tenant's users' content keys. Unwrapped keys are cached per tenant
/// and per (tenant, sub), bounded by <see cref="Capacity"/>, so the provider (an HSM) is reached once per
/// key, not once per request; keys are never logged. Keys are created on first use, and <paramref name="events"/>
/// hears of each creation. Instances share the provider: a value or user key that names a key this instance's
/// cache lacks (another instance created or rotated it) makes it read that set again, once per value.
/// </summary>
public sealed class KeyRing(IKeyProvider provider, int capacity = KeyRing.DefaultCapacity, IKeyEvents? events = null)
{
    public const int DefaultCapacity = 100_000;

    private readonly BoundedCache<Guid, TenantKeys> _tenants = new(capacity);
    private readonly BoundedCache<(Guid Tenant, string Sub), UserKeys> _users = new(capacity);

    public IKeyProvider Provider => provider;

    public int Capacity => capacity;

    public ContentCipher For(Guid tenant) => new(this, tenant);

    public TenantKeys Tenant(Guid tenant)
    {
        if (_tenants.TryGet(tenant, out var cached))
        {
            return cached;
        }

        var set = KeySet.Merge(provider.Read(tenant, KeyNames.Tenant));
        if (set is null)
        {
            var kek = provider.CurrentKek();
            provider.Add(tenant, KeyNames.Tenant, new KeySet(
            [
                WrapTenantKey(tenant, Guid.CreateVersion7(), StoredKey.Data, kek, RandomNumberGenerator.GetBytes(AesGcmBox.KeySize)),
                WrapTenantKey(tenant, Guid.CreateVersion7(), StoredKey.Index, kek, RandomNumberGenerator.GetBytes(AesGcmBox.KeySize)),
            ]).ToBytes());
            set = KeySet.Merge(provider.Read(tenant, KeyNames.Tenant)) ?? throw new CryptographicException($"The key provider did not keep tenant {tenant}'s keys.");
            events?.Created(tenant, KeyNames.Tenant);
        }

        return _tenants.Set(tenant, Unwrap(tenant, set));
    }

    /// <summary>
    /// The tenant's keys, holding data key <paramref name="id"/> if the provider has it: when the cached set lacks
    /// it, another instance created or rotated the tenant's keys since this one cached them, so the set is read
    /// again, once.
    /// </summary>
    public TenantKeys Tenant(Guid tenant, Guid id)
    {
        var keys = Tenant(tenant);
        if (keys.Data.ContainsKey(id))
        {
            return keys;
        }

        _tenants.Remove(tenant);
        return Tenant(tenant);
    }

    /// <param name="sub">The user's sub: users are (tenant, sub), and their keys are named by it (<see cref="KeyNames.User"/>).</param>
    /// <param name="holding">A key id the caller needs: a cached set without it is read again from the provider (see <see cref="Tenant(Guid, Guid)"/>).</param>
    /// <returns>The user's keys, or null when the user has none and <paramref name="create"/> is false (never made, or erased).</returns>
    public UserKeys? User(Guid tenant, string sub, bool create, Guid? holding = null)
    {
        if (_users.TryGet((tenant, sub), out var cached))
        {
            if (holding is not { } id || cached.Keys.ContainsKey(id))
            {
                return cached;
            }

            _users.Remove((tenant, sub));
        }

        var user = KeyNames.User(sub);
        var set = KeySet.Merge(provider.Read(tenant, user));
        if (set is null)
        {
            if (!create)
            {
                return null;
            }

            var keys = Tenant(tenant);
            provider.Add(tenant, user, new KeySet(
                [WrapUserKey(keys, user, Guid.CreateVersion7(), RandomNumberGenerator.GetBytes(AesGcmBox.KeySize))]).ToBytes());
            set = KeySet.Merge(provider.Read(tenant, user)) ?? throw new CryptographicException($"The key provider did not keep a user key of tenant {tenant}.");
            events?.Created(tenant, user);
        }

        var owner = Tenant(tenant);
        if (set.Keys.Any(k => !Guid.TryParse(k.WrappedBy, out var wrapper) || !owner.Data.ContainsKey(wrapper)))
        {
            // Wrapped by a tenant key this instance has not seen yet (made or rotated elsewhere).
            _tenants.Remove(tenant);
            owner = Tenant(tenant);
        }

        var unwrapped = set.Keys.ToDictionary(k => k.Id, k => Open(owner, user, k));
        return _users.Set((tenant, sub), new UserKeys(set.Keys[0].Id, unwrapped));
    }

    /// <summary>Crypto-shredding of one user (GDPR erasure): their keys are destroyed in the provider and forgotten here.</summary>
    public bool DestroyUser(Guid tenant, string sub)
    {
        _users.Remove((tenant, sub));
        return provider.Delete(tenant, KeyNames.User(sub));
    }

    /// <summary>Crypto-shredding of a tenant (offboarding): every key it has.</summary>
    public int DestroyTenant(Guid tenant)
    {
        Forget(tenant);
        return provider.DeleteTenant(tenant);
    }

    /// <summary>Drops the tenant's cached keys (after a rotation elsewhere, or an offboarding).</summary>
    public void Forget(Guid tenant)
    {
        _tenants.Remove(tenant);
        _users.RemoveWhere(k => k.Tenant == tenant);
    }

    internal StoredKey WrapTenantKey(Guid tenant, Guid id, string purpose, string kek, byte[] key) =>
        new(id, purpose, kek, provider.Wrap(kek, key, KeyNames.TenantKeyContext(tenant, id)));

    internal static StoredKey WrapUserKey(TenantKeys owner, string user, Guid id, byte[] key) =>
        new(id, StoredKey.Data, owner.Current.ToString(), AesGcmBox.Seal(owner.Data[owner.Current], key, KeyNames.UserKeyContext(owner.Tenant, user, id)));

    internal static byte[] Open(TenantKeys owner, string user, StoredKey key) =>
        Guid.TryParse(key.WrappedBy, out var wrapper) && owner.Data.TryGetValue(wrapper, out var tenantKey)
            ? AesGcmBox.Open(tenantKey, key.Wrapped, KeyNames.UserKeyContext(owner.Tenant, user, key.Id))
            : throw new CryptographicException($"A user key of tenant {owner.Tenant} is wrapped by a tenant key that is gone.");

    internal TenantKeys Unwrap(Guid tenant, KeySet set)
    {
        var data = set.Keys.Where(k => k.Purpose == StoredKey.Data).ToList();
        var index = set.Keys.First(k => k.Purpose == StoredKey.Index);
        return new TenantKeys(
            tenant,
            data[0].Id,
            data.ToDictionary(k => k.Id, k => provider.Unwrap(k.WrappedBy, k.Wrapped, KeyNames.TenantKeyContext(tenant, k.Id))),
            provider.Unwrap(index.WrappedBy, index.Wrapped, KeyNames.TenantKeyContext(tenant, index.Id)),
            data[0].WrappedBy);
    }
}
