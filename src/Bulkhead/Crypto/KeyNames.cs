using System.Security.Cryptography;
using System.Text;

namespace Bulkhead.Crypto;

/// <summary>Names of the objects a tenant has in its provider, and the contexts their wraps are bound to.</summary>
public static class KeyNames
{
    public const string Tenant = "tenant";

    private const string UserPrefix = "user-";

    /// <summary>
    /// A user's keys, named by a digest of the user's sub (users are (tenant, sub)): a request seals and opens its
    /// caller's content knowing only its token, with no read of the users table, and the name holds no sub.
    /// </summary>
    public static string User(string sub) => UserPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sub)))[..32];

    public static bool IsUser(string name) => name.StartsWith(UserPrefix, StringComparison.Ordinal);

    public static byte[] TenantKeyContext(Guid tenant, Guid key) =>
        Encoding.UTF8.GetBytes($"bulkhead/tenant-key/{tenant:N}/{key:N}");

    /// <param name="user">The user's object name (<see cref="User"/>).</param>
    public static byte[] UserKeyContext(Guid tenant, string user, Guid key) =>
        Encoding.UTF8.GetBytes($"bulkhead/user-key/{tenant:N}/{user}/{key:N}");
}
