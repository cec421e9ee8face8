using System.Security.Cryptography;
using System.Text;

namespace Bulkhead.Audit;

/// <summary>
/// What a sealed event holds of its client address: <c>sha256:</c> and the hex of SHA-256(salt || address),
/// with a fresh random salt per event. The address and salt live in <c>audit_client_addresses</c>, which an
/// erasure may delete from; the commitment stays in the sealed leaf, so the seal still verifies, and without
/// the salt it cannot be matched against guessed addresses.
/// </summary>
public static class ClientAddressCommitment
{
    public const string Prefix = "sha256:";

    /// <summary>Joins each event <c>e</c> to its address row <c>ca</c>, if it still has one.</summary>
    public const string Join = "left join audit_client_addresses ca on ca.tenant_id = e.tenant_id and ca.event_id = e.id";

    /// <summary>
    /// The address of event <c>e</c> as readers see it: from its row, null once erased; events written before
    /// the addresses had their own table hold the address itself.
    /// </summary>
    public const string Resolved = $"coalesce(ca.address, case when e.client_address like '{Prefix}%' then null else e.client_address end)";

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    public static string Of(byte[] salt, string address) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(address)]));
}
