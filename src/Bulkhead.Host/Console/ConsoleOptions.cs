namespace Bulkhead.Host.WebConsole;

/// <summary>The console's settings (section Bulkhead:Console). Sign-in itself follows Bulkhead:Auth.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Bulkhead:Console";

    /// <summary>The OpenID Connect client of the console at the authority named by Bulkhead:Auth:Authority.</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for besides openid and profile; the access token must be one the API accepts.</summary>
    public string[] Scopes { get; set; } = [];

    /// <summary>
    /// Where the console reaches this server's own API. Unset: the first address Kestrel listens on,
    /// wildcards read as loopback.
    /// </summary>
    public string? ApiAddress { get; set; }

    /// <summary>
    /// A directory for the data-protection keys that encrypt session cookies, shared by every instance behind
    /// one address. Unset: each process keeps its own (the default key ring of the user it runs as).
    /// </summary>
    public string? KeyDirectory { get; set; }

    /// <summary>How long a session lasts; development sign-in issues its token for the same time.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}
