using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Bulkhead.Chat;
using Bulkhead.Host.Auth;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Tenant API keys as bearer tokens (<c>Authorization: Bearer bhk_…</c>), for the OpenAI-compatible door.
/// The key names its tenant, and the key's hash in that tenant's own rows proves it; nothing else in the
/// request can choose the tenant. Checked against PostgreSQL on every request, so a revocation is immediate.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string Scheme = "TenantApiKey";

    /// <summary>The default scheme: API keys to <see cref="Scheme"/>, everything else to JWT bearer.</summary>
    public const string SelectorScheme = "BearerOrApiKey";

    /// <summary>The role an API-key caller has: it reaches only the door, never the member or admin API.</summary>
    public const string Role = "api_key";

    public const string Policy = "tenant-api-key";

    public static AuthenticationBuilder AddTenantApiKeys(this AuthenticationBuilder builder)
    {
        builder.AddPolicyScheme(SelectorScheme, "JWT bearer or tenant API key", o => o.ForwardDefaultSelector = context =>
            context.Request.Headers.Authorization.ToString().StartsWith("Bearer " + TenantApiKey.Prefix, StringComparison.Ordinal)
                ? Scheme
                : JwtBearerDefaults.AuthenticationScheme);
        builder.AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        builder.Services.AddSingleton(sp => new ApiKeySigning(TenantApiKey.SigningKey(
            BulkheadConfiguration.ResolveApiKeySecret(sp.GetRequiredService<IOptions<BulkheadOptions>>().Value))));
        builder.Services.AddAuthorizationBuilder()
            // No scheme named here: the default selector already authenticated the key, once.
            .AddPolicy(Policy, p => p.RequireClaim(Claims.Tenant).RequireRole(Role));
        return builder;
    }
}

public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TenantDirectory directory,
    IPlacementRouter router,
    ApiKeySigning signing,
    FailedAuthentication failures,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var key = header["Bearer ".Length..].Trim();
        var address = Context.Connection.RemoteIpAddress;
        switch (TenantApiKey.Parse(key, signing.Key, out var tenantId, out var keyId))
        {
            case ApiKeyForm.Malformed or ApiKeyForm.Forged:
                // Decided by the key's own bytes: nothing about any tenant was read.
                return AuthenticateResult.Fail("malformed or forged API key");
            case ApiKeyForm.Untagged when !failures.MayTry(address):
                return AuthenticateResult.Fail("too many failed API keys from this address");
        }

        var tenant = await directory.FindAsync(tenantId, Context.RequestAborted);
        if (tenant is null)
        {
            failures.Record(address);
            return AuthenticateResult.Fail("unknown API key");
        }

        ActiveApiKey? stored;
        await using (var session = await TenantSession.OpenAsync(tenant.Scope, router, Context.RequestAborted))
        {
            stored = await new ApiKeyStore(session).FindActiveAsync(keyId, Context.RequestAborted);
        }

        if (stored is null || !CryptographicOperations.FixedTimeEquals(stored.Hash, TenantApiKey.Hash(key)))
        {
            failures.Record(address);
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        if (stored.LastUsedAt is not { } last || time.GetUtcNow() - last >= ApiKeyStore.LastUseResolution)
        {
            await MarkUsedAsync(tenant, keyId);
        }

        var identity = new ClaimsIdentity(
            [new Claim(Claims.Tenant, tenant.Id.ToString()), new Claim(Claims.Subject, "api-key:" + keyId), new Claim(Claims.Role, ApiKeyAuthentication.Role)],
            ApiKeyAuthentication.Scheme, Claims.Subject, Claims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyAuthentication.Scheme));
    }

    // Bookkeeping, not authentication: a key whose use cannot be recorded (its tenant's writes are held
    // during a move's switch, or the placement just moved) still opens the door; the next minute records it.
    private async Task MarkUsedAsync(Tenant tenant, Guid keyId)
    {
        try
        {
            await using var session = await TenantSession.OpenAsync(tenant.Scope, router, Context.RequestAborted);
            await new ApiKeyStore(session).MarkUsedAsync(keyId, Context.RequestAborted);
        }
        catch (Npgsql.PostgresException e)
        {
            Logger.LogDebug("The last use of an API key was not recorded ({SqlState})", e.SqlState);
        }
    }
}

