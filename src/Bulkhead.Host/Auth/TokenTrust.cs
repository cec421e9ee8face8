using Bulkhead.Host.Hosting;

namespace Bulkhead.Host.Auth;

/// <summary>
/// Where the server takes token signing keys from, checked before it starts: exactly one of an OIDC
/// authority, a JWKS URL or the explicit development key. Keys fetched over plain http could be swapped
/// by anyone on the path, so http is accepted for loopback addresses only.
/// </summary>
public static class TokenTrust
{
    /// <summary>Why the settings cannot be trusted, or null when they can.</summary>
    public static string? Problem(AuthOptions auth)
    {
        var authority = !string.IsNullOrWhiteSpace(auth.Authority);
        var jwks = !string.IsNullOrWhiteSpace(auth.JwksUrl);
        if ((authority ? 1 : 0) + (jwks ? 1 : 0) + (auth.DevelopmentKey ? 1 : 0) > 1)
        {
            return "Set exactly one of Bulkhead:Auth:Authority, Bulkhead:Auth:JwksUrl and Bulkhead:Auth:DevelopmentKey=true: "
                + "the server trusts one source of signing keys.";
        }

        if (authority)
        {
            return UrlProblem("Bulkhead:Auth:Authority", auth.Authority!);
        }

        if (jwks)
        {
            return UrlProblem("Bulkhead:Auth:JwksUrl", auth.JwksUrl!);
        }

        if (!auth.DevelopmentKey)
        {
            return "No token signing keys are configured. Set Bulkhead:Auth:Authority (an OIDC issuer) or Bulkhead:Auth:JwksUrl for production, "
                + "or Bulkhead:Auth:DevelopmentKey=true to trust the local development key (development only; './bulkhead up' sets it).";
        }

        return string.IsNullOrWhiteSpace(auth.SigningKeyFile)
            ? "Bulkhead:Auth:DevelopmentKey is set but Bulkhead:Auth:SigningKeyFile is not."
            : null;
    }

    /// <summary>True for http URLs that name this machine; only those may serve keys without TLS.</summary>
    public static bool IsLoopbackHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback;

    private static string? UrlProblem(string setting, string value) =>
        !Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            ? $"{setting} must be an absolute https URL."
            : uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback
                ? $"{setting} is http on a non-loopback host ({uri.Host}): signing keys fetched without TLS can be replaced on the way. Use https."
                : null;
}
