using System.Security.Claims;

namespace Bulkhead.Host.Auth;

/// <summary>Claims a signature-valid token must still carry: a known role, a sub, and a tid exactly when the role is not platform.</summary>
public static class TokenShape
{
    public static string? Check(ClaimsPrincipal principal)
    {
        var role = principal.FindFirst(Claims.Role)?.Value ?? Roles.Member;
        var sub = principal.FindFirst(Claims.Subject)?.Value;
        var tid = principal.FindFirst(Claims.Tenant)?.Value;
        if (!Roles.IsKnown(role) || principal.FindAll(Claims.Role).Count() > 1)
        {
            return "unknown role";
        }

        if (string.IsNullOrEmpty(sub) || sub.Length > 256)
        {
            return "sub is missing or too long";
        }

        if (role == Roles.Platform)
        {
            return tid is null ? null : "platform tokens carry no tenant";
        }

        return Guid.TryParse(tid, out var id) && id != Guid.Empty && principal.FindAll(Claims.Tenant).Count() == 1
            ? null
            : "tid is missing or not a tenant id";
    }
}
