using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Bulkhead.Audit;

/// <summary>
/// What a sealed event holds of its client address: <c>sha256:</c> and the hex of SHA-256(salt || address).
/// The address and salt live in <c>audit_client_addresses</c>, keyed by the commitment, which an erasure may
/// delete from; the commitment stays in the sealed leaf, so the seal still verifies, and without the salt it
/// cannot be matched against guessed addresses.
/// <para>
/// One salt serves the events of one tenant, subject, token and address for a day in this process, so that
/// those events share one address row (the request's insert finds it there and does nothing) instead of
/// writing one each. Events of different days, tokens, subjects or processes hold unrelated commitments.
/// The salts are kept in memory, at most <see cref="MaxGroups"/> of them.
/// </para>
/// </summary>
public static class ClientAddressCommitment
{
    public const string Prefix = "sha256:";

    /// <summary>Salts kept in memory before they are all forgotten (a forgotten group gets a new salt, and a new row).</summary>
    public const int MaxGroups = 100_000;

    /// <summary>Joins each event <c>e</c> to its address row <c>ca</c>, if it still has one.</summary>
    public const string Join = "left join audit_client_addresses ca on ca.tenant_id = e.tenant_id and ca.commitment = e.client_address";

    /// <summary>
    /// The address of event <c>e</c> as readers see it: from its row, null once erased; events written before
    /// the addresses had their own table hold the address itself.
    /// </summary>
    public const string Resolved = $"coalesce(ca.address, case when e.client_address like '{Prefix}%' then null else e.client_address end)";

    private static readonly ConcurrentDictionary<Group, Salted> Salts = new();

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    public static string Of(byte[] salt, string address) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(address)]));

    /// <summary>The salt and commitment for an event of this group today.</summary>
    public static (byte[] Salt, string Commitment) For(Guid tenantId, string? sub, string? tokenId, string address, DateOnly day)
    {
        var group = new Group(tenantId, sub, tokenId, address, day);
        if (Salts.TryGetValue(group, out var known))
        {
            return (known.Salt, known.Commitment);
        }

        if (Salts.Count >= MaxGroups)
        {
            Salts.Clear();
        }

        var salt = NewSalt();
        var salted = Salts.GetOrAdd(group, new Salted(salt, Of(salt, address)));
        return (salted.Salt, salted.Commitment);
    }

    private readonly record struct Group(Guid TenantId, string? Sub, string? TokenId, string Address, DateOnly Day);

    private sealed record Salted(byte[] Salt, string Commitment);
}
