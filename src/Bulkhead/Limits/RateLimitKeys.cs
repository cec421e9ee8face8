namespace Bulkhead.Limits;

/// <summary>
/// Redis keys of the request limiter. Every key carries its tenant as the hash tag, so a decision's
/// keys live in one Redis Cluster slot and no key is ever shared by two tenants.
/// </summary>
public static class RateLimitKeys
{
    public static string Tenant(Guid tenantId) => $"bh:{{{tenantId:N}}}:rl:tenant";

    public static string User(Guid tenantId, string sub) => $"bh:{{{tenantId:N}}}:rl:user:{sub}";
}
