using Bulkhead.Host.Auth;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.Support;

/// <summary>The signing key a test server trusts, kept in a PEM file like the development key.</summary>
public static class TestKeys
{
    public const string Issuer = "bulkhead-test";
    public const string Audience = "bulkhead";

    public static string KeyFile { get; } = Path.Combine(TestRun.Directory, $"bulkhead-test-key-{Environment.ProcessId}.pem");

    public static RsaSecurityKey Key { get; } = DevelopmentSigningKey.Load(KeyFile);

    public static TokenIssuer Tokens { get; } = new(Key, Issuer, Audience, TimeProvider.System);

    public static string Token(Guid tenant, string sub, string role = Roles.Member) =>
        Tokens.Issue(tenant, sub, role, TimeSpan.FromHours(1));

    public static string PlatformToken(string sub = "operator") =>
        Tokens.Issue(null, sub, Roles.Platform, TimeSpan.FromHours(1));
}
