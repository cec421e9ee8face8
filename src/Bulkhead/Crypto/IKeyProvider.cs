namespace Bulkhead.Crypto;

/// <summary>
/// Where keys live: outside the database. A provider holds the key-encryption keys (KEKs), which never
/// leave it in plain form on an HSM, and a small store of wrapped data keys per tenant. Wrapped keys are
/// kept here and not in the tenant's tables on purpose: a database backup then holds ciphertext only, and
/// destroying a key here shreds it in every backup taken before (see docs/encryption.md).
/// </summary>
public interface IKeyProvider
{
    /// <summary>"local" or "pkcs11", for reports.</summary>
    string Name { get; }

    /// <summary>The id of the newest KEK; new and re-wrapped data keys use it. Creates the first one when there is none.</summary>
    string CurrentKek();

    /// <summary>Makes a new KEK the current one and returns its id (<c>./bulkhead keys rotate</c>).</summary>
    string CreateKek();

    /// <summary>Encrypts a data key under a KEK; <paramref name="context"/> is bound as associated data.</summary>
    byte[] Wrap(string kek, ReadOnlySpan<byte> key, ReadOnlySpan<byte> context);

    /// <summary>The data key, or a <see cref="System.Security.Cryptography.CryptographicException"/> when the wrap or its context does not match.</summary>
    byte[] Unwrap(string kek, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> context);

    /// <summary>
    /// A stored object of the tenant: none, one, or (after two instances created it at once) several, which
    /// the caller merges.
    /// </summary>
    IReadOnlyList<byte[]> Read(Guid tenant, string name);

    /// <summary>Stores the object unless it exists already (the first writer wins, or both are kept for the reader to merge).</summary>
    void Add(Guid tenant, string name, byte[] value);

    /// <summary>Replaces the object (rotation), leaving no earlier copy.</summary>
    void Replace(Guid tenant, string name, byte[] value);

    /// <returns>False when there was no such object.</returns>
    bool Delete(Guid tenant, string name);

    /// <summary>Destroys every object of the tenant; returns how many went.</summary>
    int DeleteTenant(Guid tenant);

    /// <summary>The names of the tenant's stored objects.</summary>
    IReadOnlyList<string> Names(Guid tenant);

    /// <summary>The tenants that have stored keys.</summary>
    IReadOnlyList<Guid> Tenants();
}
