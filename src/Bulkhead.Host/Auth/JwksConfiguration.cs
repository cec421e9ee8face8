using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Host.Auth;

/// <summary>
/// Trusts the keys of a bare JWKS URL, for issuers that publish keys without OIDC discovery. Only https, or
/// http to a loopback address (<see cref="TokenTrust"/> refuses the rest before the server starts).
/// </summary>
public static class JwksConfiguration
{
    public static ConfigurationManager<OpenIdConnectConfiguration> Create(Uri jwksUrl) =>
        new(jwksUrl.AbsoluteUri, new JwksRetriever(), new HttpDocumentRetriever { RequireHttps = !TokenTrust.IsLoopbackHttp(jwksUrl) });

    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var keys = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
            var configuration = new OpenIdConnectConfiguration();
            foreach (var key in keys.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}
