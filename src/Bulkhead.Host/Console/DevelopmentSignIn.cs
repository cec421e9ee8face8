using System.Globalization;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Hosting;
using Bulkhead.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.WebConsole;

/// <summary>
/// The development sign-in (the mode <c>up</c> runs in: no identity provider configured): it issues the
/// same token <c>./bulkhead token</c> would, keeps it in the session cookie, and never shows it. Registered
/// only in that mode.
/// </summary>
public sealed class DevelopmentSignIn(IOptions<BulkheadOptions> bulkhead, IOptions<ConsoleOptions> console, TenantCatalog catalog, TimeProvider time)
{
    private readonly Lazy<TokenIssuer> _issuer = new(() =>
    {
        var auth = bulkhead.Value.Auth;
        var key = DevelopmentSigningKey.Load(auth.SigningKeyFile ?? throw new InvalidOperationException("Bulkhead:Auth:SigningKeyFile is not set."));
        return new TokenIssuer(key, auth.Issuer, auth.Audience, time);
    });

    public static bool IsEnabled(BulkheadOptions options) =>
        string.IsNullOrEmpty(options.Auth.Authority) && string.IsNullOrEmpty(options.Auth.JwksUrl);

    /// <returns>Null when signed in, or what is wrong with the form.</returns>
    public async Task<string?> SignInAsync(HttpContext http, string? tenant, string? user, string? role, CancellationToken ct)
    {
        role = string.IsNullOrWhiteSpace(role) ? Roles.Member : role.Trim();
        user = user?.Trim();
        if (!Roles.IsKnown(role))
        {
            return "Role must be member, admin or platform.";
        }

        if (string.IsNullOrEmpty(user) || user.Length > 256)
        {
            return "User must be 1 to 256 characters.";
        }

        Guid? tenantId = null;
        if (role != Roles.Platform)
        {
            if (string.IsNullOrWhiteSpace(tenant))
            {
                return "Tenant is required for members and admins (a slug such as acme, or a tenant id).";
            }

            var found = await catalog.FindAsync(tenant.Trim(), ct);
            if (found is not { Status: TenantStatus.Active })
            {
                return $"No active tenant is called '{tenant.Trim()}'.";
            }

            tenantId = found.Id;
        }

        var lifetime = console.Value.SessionLifetime;
        var expires = time.GetUtcNow() + lifetime;
        var properties = new AuthenticationProperties { IsPersistent = false, ExpiresUtc = expires };
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = ConsoleSessions.AccessToken, Value = _issuer.Value.Issue(tenantId, user, role, lifetime) },
            new AuthenticationToken { Name = ConsoleSessions.ExpiresAt, Value = expires.ToString("o", CultureInfo.InvariantCulture) },
        ]);
        await http.SignInAsync(ConsoleSessions.Scheme, ConsoleIdentity.Principal(tenantId, user, role), properties);
        return null;
    }
}
