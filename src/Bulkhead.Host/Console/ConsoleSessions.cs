using System.Globalization;
using System.Security.Claims;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Bulkhead.Host.WebConsole;

/// <summary>
/// The console's session: a <c>__Host-</c> cookie, HttpOnly, Secure and SameSite=Lax, that holds the
/// verified claims and the API token server-side (encrypted by data protection). The browser never sees
/// a token. Every request re-checks the tenant, so a suspended or deleted tenant's session ends at its
/// next request, and a session whose token has expired ends too.
/// </summary>
public static class ConsoleSessions
{
    public const string Scheme = "ConsoleCookie";

    public const string CookieName = "__Host-bulkhead";

    /// <summary>The policy of every console page: a cookie session, never a bearer token.</summary>
    public const string Policy = "console";

    public const string AccessToken = "access_token";

    public const string ExpiresAt = "expires_at";

    public static void Configure(CookieAuthenticationOptions cookie, TimeSpan lifetime)
    {
        cookie.Cookie.Name = CookieName;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.Path = "/";
        cookie.ExpireTimeSpan = lifetime;
        cookie.SlidingExpiration = false;
        cookie.LoginPath = "/console/signin";
        cookie.AccessDeniedPath = "/console/denied";
        cookie.ReturnUrlParameter = "return";
        cookie.Events.OnValidatePrincipal = ValidateAsync;
    }

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (!await IsLiveAsync(context))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static async Task<bool> IsLiveAsync(CookieValidatePrincipalContext context)
    {
        var expires = context.Properties.GetTokenValue(ExpiresAt);
        if (expires is null || !DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            || at <= context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow())
        {
            return false;
        }

        var principal = context.Principal!;
        if (principal.FindFirstValue(Claims.Role) == Roles.Platform)
        {
            return true;
        }

        if (!Guid.TryParse(principal.FindFirstValue(Claims.Tenant), out var tid))
        {
            return false;
        }

        var directory = context.HttpContext.RequestServices.GetRequiredService<TenantDirectory>();
        return await directory.FindAsync(tid, context.HttpContext.RequestAborted) is { Status: TenantStatus.Active };
    }
}
