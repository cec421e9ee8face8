using System.Security.Cryptography;

namespace Bulkhead.Crypto;

/// <summary>
/// Rotation of a tenant's keys (<c>./bulkhead keys rotate</c>). At once: a new tenant data key becomes
/// current, and every key of the tenant is re-wrapped under the provider's current KEK, so an earlier KEK no
/// longer protects anything of it. Then, one user at a time, each user's content key is re-wrapped under the
/// new tenant key. Each user's set records which tenant key wraps it, so an interrupted pass resumes where it
/// stopped; values sealed under earlier keys keep opening, because earlier keys stay in their sets, wrapped
/// under the new KEK.
/// </summary>
public sealed class KeyRotation(KeyRing ring)
{
    /// <param name="progress">Called with (users done, users in all) after each user.</param>
    public RotationReport Rotate(Guid tenant, Action<int, int>? progress = null)
    {
        var provider = ring.Provider;
        var kek = provider.CurrentKek();
        var stored = KeySet.Merge(provider.Read(tenant, KeyNames.Tenant)) ?? throw new InvalidOperationException($"Tenant {tenant} has no keys.");
        var current = ring.Unwrap(tenant, stored);
        var users = provider.Names(tenant).Where(KeyNames.IsUser).ToList();
        var pending = users.Count(name => KeySet.Merge(provider.Read(tenant, name))?.Keys.Any(k => k.WrappedBy != current.Current.ToString()) == true);

        // A pass that stopped half-way left a current tenant key that some users are not wrapped under yet:
        // finish it under that key instead of starting another.
        var created = pending == 0;
        if (created)
        {
            var fresh = new StoredKey(Guid.CreateVersion7(), StoredKey.Data, kek, []);
            var rewrapped = stored.Keys.Select(k => ring.WrapTenantKey(tenant, k.Id, k.Purpose, kek, provider.Unwrap(k.WrappedBy, k.Wrapped, KeyNames.TenantKeyContext(tenant, k.Id))));
            provider.Replace(tenant, KeyNames.Tenant, new KeySet(
                [ring.WrapTenantKey(tenant, fresh.Id, StoredKey.Data, kek, RandomNumberGenerator.GetBytes(AesGcmBox.KeySize)), .. rewrapped]).ToBytes());
        }

        ring.Forget(tenant);
        var keys = ring.Tenant(tenant);
        var done = 0;
        foreach (var name in users)
        {
            if (KeySet.Merge(provider.Read(tenant, name)) is { } set && set.Keys.Any(k => k.WrappedBy != keys.Current.ToString()))
            {
                provider.Replace(tenant, name, new KeySet(
                    set.Keys.Select(k => KeyRing.WrapUserKey(keys, name, k.Id, KeyRing.Open(keys, name, k))).ToList()).ToBytes());
            }

            progress?.Invoke(++done, users.Count);
        }

        ring.Forget(tenant);
        return new RotationReport(tenant, keys.Current, kek, users.Count, created);
    }
}

/// <summary>What a rotation did: the tenant's new current data key, the KEK that now wraps its keys, how many user keys it re-wrapped.</summary>
public sealed record RotationReport(Guid Tenant, Guid DataKey, string Kek, int Users, bool NewDataKey);
