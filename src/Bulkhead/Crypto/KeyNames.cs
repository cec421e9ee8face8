namespace Bulkhead.Crypto;

/// <summary>Names of the objects a tenant has in its provider, and the contexts their wraps are bound to.</summary>
public static class KeyNames
{
    public const string Tenant = "tenant";

    public static string User(Guid user) => "user-" + user.ToString("N");

    public static bool IsUser(string name) => name.StartsWith("user-", StringComparison.Ordinal);

    public static byte[] TenantKeyContext(Guid tenant, Guid key) =>
        System.Text.Encoding.UTF8.GetBytes($"bulkhead/tenant-key/{tenant:N}/{key:N}");

    public static byte[] UserKeyContext(Guid tenant, Guid user, Guid key) =>
        System.Text.Encoding.UTF8.GetBytes($"bulkhead/user-key/{tenant:N}/{user:N}/{key:N}");
}
