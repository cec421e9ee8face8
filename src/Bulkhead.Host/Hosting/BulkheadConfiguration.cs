using System.Security.Cryptography;

namespace Bulkhead.Host.Hosting;

/// <summary>
/// Where configuration comes from: built-in defaults, then <c>$BULKHEAD_HOME/bulkhead.json</c> (written by
/// <c>./bulkhead up</c>, mode 0600), then environment variables (<c>Bulkhead__DatabaseConnection</c>, ...).
/// </summary>
public static class BulkheadConfiguration
{
    public static string Home =>
        Environment.GetEnvironmentVariable("BULKHEAD_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Directory.GetCurrentDirectory(), ".bulkhead");

    public static void AddBulkheadSources(this IConfigurationBuilder builder)
    {
        var home = Home;
        builder.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bulkhead:Auth:SigningKeyFile"] = Path.Combine(home, "jwt-signing-key.pem"),

            // The framework's per-request lines drown the server's own (listening address, limits mode,
            // model, preflight); they stay a setting away (Logging__LogLevel__Microsoft.AspNetCore=Information).
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.Extensions.Http"] = "Warning",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            ["Logging:LogLevel:Polly"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        });
        builder.AddJsonFile(Path.Combine(home, "bulkhead.json"), optional: true, reloadOnChange: false);
        builder.AddEnvironmentVariables();
    }

    /// <summary>The API-key secret from configuration, or a development secret kept under BULKHEAD_HOME.</summary>
    public static byte[] ResolveApiKeySecret(BulkheadOptions options) =>
        options.ApiKeySecret.Length > 0
            ? Convert.FromBase64String(options.ApiKeySecret)
            : SecretFile.ReadOrCreate(Path.Combine(Home, "api-key.secret"), () => RandomNumberGenerator.GetBytes(32));

    /// <summary>The cursor key from configuration, or a development key kept under BULKHEAD_HOME.</summary>
    public static byte[] ResolveCursorKey(BulkheadOptions options)
    {
        if (options.CursorKey.Length > 0)
        {
            return Convert.FromBase64String(options.CursorKey);
        }

        var path = Path.Combine(Home, "cursor.key");
        return SecretFile.ReadOrCreate(path, () => RandomNumberGenerator.GetBytes(32));
    }
}
