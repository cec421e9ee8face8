namespace Bulkhead.Host.Hosting;

/// <summary>The server's settings, bound from the "Bulkhead" section and validated at start-up.</summary>
public sealed class BulkheadOptions
{
    public const string Section = "Bulkhead";

    /// <summary>Runtime connection, as the <c>bulkhead_app</c> role that cannot bypass row-level security.</summary>
    public string DatabaseConnection { get; set; } = "";

    /// <summary>Owner connection for migrations and the CLI's control-plane writes; the server itself does not need it.</summary>
    public string OwnerConnection { get; set; } = "";

    public AuthOptions Auth { get; set; } = new();

    /// <summary>Models, providers and chat defaults (section Bulkhead:Chat).</summary>
    public Bulkhead.Host.Chat.ChatServerOptions Chat { get; set; } = new();

    /// <summary>The audit sealer, checkpoints and read durability (section Bulkhead:Audit).</summary>
    public Bulkhead.Host.Audit.AuditOptions Audit { get; set; } = new();

    /// <summary>Base64 of 32 random bytes that seal pagination cursors; the same on every instance.</summary>
    public string CursorKey { get; set; } = "";

    /// <summary>
    /// Base64 of 32 random bytes from which the tag of every tenant API key is derived; the same on every
    /// instance. Changing it invalidates every key issued under it.
    /// </summary>
    public string ApiKeySecret { get; set; } = "";

    /// <summary>Serve even when the isolation preflight fails. Logged loudly; for incident recovery only.</summary>
    public bool UnsafeSkipIsolationChecks { get; set; }
}

public sealed class AuthOptions
{
    public string Issuer { get; set; } = "bulkhead-dev";

    public string Audience { get; set; } = "bulkhead";

    /// <summary>OIDC authority (its discovery document names the signing keys), https or loopback http. Production.</summary>
    public string? Authority { get; set; }

    /// <summary>A JWKS URL, https or loopback http, when the issuer publishes keys without OIDC discovery. Production.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>
    /// Trust the local development key of <see cref="SigningKeyFile"/>: development only (<c>./bulkhead up</c>
    /// sets it). Without it, and without an authority or JWKS URL, the server refuses to start.
    /// </summary>
    public bool DevelopmentKey { get; set; }

    /// <summary>PEM file with the local development RSA key; created on first use.</summary>
    public string? SigningKeyFile { get; set; }
}
