using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.WebConsole;

/// <summary>
/// Where this server's own API answers, for the console's server-side calls: the configured address, or
/// the first address Kestrel listens on, with a wildcard host read as loopback.
/// </summary>
public sealed class ApiAddress(IServer server, IOptions<ConsoleOptions> options)
{
    private Uri? _address;

    public Uri Value => _address ??= Resolve();

    private Uri Resolve()
    {
        if (options.Value.ApiAddress is { Length: > 0 } configured)
        {
            return new Uri(configured);
        }

        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException("The server listens on no HTTP address; set Bulkhead:Console:ApiAddress.");
        var uri = new UriBuilder(listening.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        uri.Host = uri.Host switch
        {
            "0.0.0.0" or "localhost" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            var host => host,
        };
        return uri.Uri;
    }
}
