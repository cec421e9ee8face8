namespace Bulkhead.Host.Auth;

/// <summary>The claims Bulkhead reads from a verified token, and nothing else about identity.</summary>
public static class Claims
{
    public const string Tenant = "tid";
    public const string Subject = "sub";
    public const string Role = "role";
    public const string TokenId = "jti";
}

public static class Roles
{
    public const string Member = "member";
    public const string Admin = "admin";
    public const string Platform = "platform";

    public static bool IsKnown(string role) => role is Member or Admin or Platform;
}

public static class Policies
{
    /// <summary>A member or admin of an active tenant.</summary>
    public const string Tenant = "tenant";

    /// <summary>A tenant admin.</summary>
    public const string TenantAdmin = "tenant-admin";

    /// <summary>The platform operator: manages tenants, reads no tenant content.</summary>
    public const string Platform = "platform";
}
