namespace Bulkhead.Chat;

/// <summary>The key that tags every tenant API key this server issues (see <see cref="TenantApiKey"/>).</summary>
public sealed class ApiKeySigning(byte[] key)
{
    public ReadOnlySpan<byte> Key => key;
}
