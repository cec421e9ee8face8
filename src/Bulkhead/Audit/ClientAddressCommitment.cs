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

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    public static string Of(byte[] salt, string address) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(address)]));
}
