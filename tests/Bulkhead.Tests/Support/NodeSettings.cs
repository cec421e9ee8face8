using System.Security.Cryptography;

namespace Bulkhead.Tests.Support;

/// <summary>What every <see cref="NodeProcess"/> of one deployment is given: its database, the test signing key, shared keys.</summary>
public static class NodeSettings
{
    /// <param name="runtimeConnection">The runtime role's connection (straight to PostgreSQL, or through a pooler).</param>
    /// <param name="home">BULKHEAD_HOME: where the nodes keep what they create.</param>
    public static Dictionary<string, string> For(TestDatabase database, string runtimeConnection, string home) => new()
    {
        ["BULKHEAD_HOME"] = home,
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["Bulkhead__DatabaseConnection"] = runtimeConnection,
        ["Bulkhead__OwnerConnection"] = database.OwnerConnection,
        ["Bulkhead__Auth__Issuer"] = TestKeys.Issuer,
        ["Bulkhead__Auth__Audience"] = TestKeys.Audience,
        ["Bulkhead__Auth__SigningKeyFile"] = TestKeys.KeyFile,
        ["Bulkhead__Auth__DevelopmentKey"] = "true",
        // One deployment: every node has the same keys.
        ["Bulkhead__CursorKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Bulkhead__ApiKeySecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Bulkhead__Chat__ProviderKeySecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    };
}
