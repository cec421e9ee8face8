using System.Security.Claims;
using Bulkhead.Host.Auth;

namespace Bulkhead.Host.WebConsole;

/// <summary>Who the session is for, read from the cookie's verified claims only.</summary>
public sealed record ConsoleIdentity(Guid? TenantId, string Sub, string Role)
{
    public bool IsPlatform => Role == Roles.Platform;

    public bool IsAdmin => Role == Roles.Admin;

    public static ConsoleIdentity From(ClaimsPrincipal user) => new(
        Guid.TryParse(user.FindFirstValue(Claims.Tenant), out var tid) ? tid : null,
        user.FindFirstValue(Claims.Subject) ?? "",
        user.FindFirstValue(Claims.Role) ?? Roles.Member);

    /// <summary>The claims a session carries: exactly those of the token it holds.</summary>
    public static ClaimsPrincipal Principal(Guid? tenantId, string sub, string role)
    {
        List<Claim> claims = [new(Claims.Subject, sub), new(Claims.Role, role)];
        if (tenantId is { } tid)
        {
            claims.Add(new Claim(Claims.Tenant, tid.ToString()));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, ConsoleSessions.Scheme, Claims.Subject, Claims.Role));
    }
}
