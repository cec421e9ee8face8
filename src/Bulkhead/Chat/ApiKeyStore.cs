using Bulkhead.Storage;

namespace Bulkhead.Chat;

/// <summary>The session tenant's API keys for the OpenAI-compatible door. Only hashes are stored.</summary>
public sealed class ApiKeyStore(TenantSession session)
{
    private const string Columns = "id, name, hint, created_by, created_at, revoked_at, last_used_at";

    private Guid TenantId => session.TenantId;

    /// <returns>The stored key and the key itself, which is shown once and never again.</returns>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string name, string createdBy, ApiKeySigning signing, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var secret = TenantApiKey.Create(TenantId, id, signing.Key);
        await using var reader = await session.ReadAsync(ct, Sql.Command(
            $"insert into api_keys (tenant_id, id, name, key_hash, hint, created_by) values ($1, $2, $3, $4, $5, $6) returning {Columns}",
            TenantId, id, name, TenantApiKey.Hash(secret), TenantApiKey.Hint(secret), createdBy));
        await reader.ReadAsync(ct);
        return (Read(reader), secret);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command($"select {Columns} from api_keys where tenant_id = $1 order by id", TenantId));
        var keys = new List<ApiKey>();
        while (await reader.ReadAsync(ct))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    /// <returns>False when the tenant has no such key.</returns>
    public async Task<bool> RevokeAsync(Guid id, CancellationToken ct)
    {
        var affected = await session.ExecuteAsync(ct, Sql.Command(
            "update api_keys set revoked_at = coalesce(revoked_at, now()) where tenant_id = $1 and id = $2", TenantId, id));
        return affected[0] == 1;
    }

    /// <summary>The hash of a key that is not revoked and when it was last used, or null.</summary>
    public async Task<ActiveApiKey?> FindActiveAsync(Guid id, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command(
            "select key_hash, last_used_at from api_keys where tenant_id = $1 and id = $2 and revoked_at is null", TenantId, id));
        return await reader.ReadAsync(ct)
            ? new ActiveApiKey(reader.GetFieldValue<byte[]>(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    /// <summary>Records a use of the key unless one was recorded within <see cref="LastUseResolution"/>.</summary>
    public async Task MarkUsedAsync(Guid id, CancellationToken ct) =>
        await session.ExecuteAsync(ct, Sql.Command(
            "update api_keys set last_used_at = now() where tenant_id = $1 and id = $2 and (last_used_at is null or last_used_at < now() - $3::interval)",
            TenantId, id, LastUseResolution));

    /// <summary>How stale a key's last use may be: at most one write per key per this interval.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    private static ApiKey Read(Npgsql.NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4),
        r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5), r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));
}

public sealed record ApiKey(Guid Id, string Name, string Hint, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

public sealed record ActiveApiKey(byte[] Hash, DateTimeOffset? LastUsedAt);
