using Bulkhead.Audit;
using Bulkhead.Crypto;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Chat;

/// <summary>
/// The session tenant's chat configuration. Every change is a new row and the newest row wins, so the
/// history of who changed what stays; reads go to PostgreSQL every time, so a change is seen by the
/// next request on every instance. The plan's defaults come from <see cref="Tenancy.PlanCatalog"/>.
/// <para>
/// The provider key is the exception: it lives in one row (<c>provider_keys</c>) that each change
/// overwrites, and the history row says only that it was set, changed or removed, and which version
/// that made. Removing a key leaves no copy of it in any row.
/// </para>
/// <para>The system prompt is sealed under the tenant key (<see cref="SystemPromptField"/>).</para>
/// </summary>
public sealed class TenantConfigStore(TenantSession session, KeyRing keys)
{
    /// <summary>The newest overrides of the tenant and its provider key; $1 is the tenant id. No row means none.</summary>
    public const string ReadSql = """
        select c.model, c.temperature, c.max_tokens, c.system_prompt, c.retention_days, c.allowed_models, k.sealed, c.id
          from tenant_config c
          left join provider_keys k on k.tenant_id = c.tenant_id
         where c.tenant_id = $1
         order by c.id desc
         limit 1
        """;

    // Two admins saving at once are serialised, so neither change is lost and the checks run on what is stored.
    private const string LockSql = "select pg_advisory_xact_lock(hashtext('bulkhead.tenant_config'), hashtext($1::text))";

    private const string InsertSql = """
        insert into tenant_config (tenant_id, id, model, temperature, max_tokens, system_prompt, retention_days, allowed_models, changed_by)
        values ($1, $2, $3::text, $4::real, $5::integer, $6::bytea, $7::integer, $8::text[], $9)
        """;

    // The key row is overwritten (removal stores null) and its new version goes into the history row.
    private const string InsertWithKeySql = """
        with key as (
            insert into provider_keys as k (tenant_id, id, sealed, version) values ($1, $2, $10::bytea, 1)
            on conflict (tenant_id) do update set sealed = excluded.sealed, version = k.version + 1, changed_at = now()
            returning version
        )
        insert into tenant_config (tenant_id, id, model, temperature, max_tokens, system_prompt, retention_days, allowed_models, changed_by,
                                   provider_key_change, provider_key_version)
        select $1, $2, $3::text, $4::real, $5::integer, $6::bytea, $7::integer, $8::text[], $9, $11::text, key.version from key
        """;

    private ChatOverrides _stored = ChatOverrides.None;

    public async Task<TenantChatConfig> ReadAsync(ChatDefaults plan, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command(ReadSql, session.TenantId));
        return new TenantChatConfig(plan, await ReadOverridesAsync(reader, keys.For(session.TenantId), ct));
    }

    /// <summary>Where a configuration row's system prompt is sealed: under the tenant's key, bound to the row.</summary>
    public static SealedField SystemPromptField(Guid row) => new("tenant_config", row, "system_prompt", null);

    /// <summary>Opens a transaction, takes the tenant's configuration lock and reads what is stored.</summary>
    public async Task<TenantChatConfig> BeginChangeAsync(ChatDefaults plan, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var reader = await session.ReadAsync(ct,
            Sql.Command(LockSql, session.TenantId),
            Sql.Command(ReadSql, session.TenantId));
        await reader.NextResultAsync(ct);
        _stored = await ReadOverridesAsync(reader, keys.For(session.TenantId), ct);
        return new TenantChatConfig(plan, _stored);
    }

    /// <summary>Stores the new overrides, recorded as <c>config.change</c> <c>ok</c>, and commits the transaction of <see cref="BeginChangeAsync"/>.</summary>
    public async Task SaveAsync(ChatOverrides next, string changedBy, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        object?[] values =
        [
            session.TenantId, id, next.Model, next.Temperature, next.MaxTokens,
            next.SystemPrompt is null ? null : keys.For(session.TenantId).Seal(SystemPromptField(id), next.SystemPrompt),
            next.RetentionDays, next.AllowedModels?.ToArray(), changedBy,
        ];
        var command = KeyChange(_stored.ProviderKeySealed, next.ProviderKeySealed) is { } change
            ? Sql.Command(InsertWithKeySql, [.. values, next.ProviderKeySealed, change])
            : Sql.Command(InsertSql, values);
        await session.ExecuteAsync(ct, [command, .. session.Outcome(AuditActions.ConfigChange, id.ToString(), AuditOutcome.Ok, 1)]);
        await session.CommitAsync(ct);
    }

    /// <summary>
    /// Ends the transaction of <see cref="BeginChangeAsync"/> without a change: only the events are
    /// committed, the read's and <c>config.change</c> <c>rejected</c> counting the bad fields, so a refused
    /// change leaves its trace.
    /// </summary>
    public async Task RejectAsync(int problems, CancellationToken ct)
    {
        await session.ExecuteAsync(ct, session.Outcome(AuditActions.ConfigChange, null, AuditOutcome.Rejected, problems));
        await session.CommitAsync(ct);
    }

    /// <summary>What a save does to the provider key: set, changed, removed, or nothing (null).</summary>
    public static string? KeyChange(byte[]? stored, byte[]? next) => (stored, next) switch
    {
        (null, null) => null,
        (null, _) => "set",
        (_, null) => "removed",
        _ => stored.AsSpan().SequenceEqual(next) ? null : "changed",
    };

    /// <summary>Reads the row of <see cref="ReadSql"/> from the current result set, if there is one.</summary>
    public static async Task<ChatOverrides> ReadOverridesAsync(NpgsqlDataReader r, ContentCipher cipher, CancellationToken ct)
    {
        if (!await r.ReadAsync(ct))
        {
            return ChatOverrides.None;
        }

        return new ChatOverrides(
            r.IsDBNull(0) ? null : r.GetString(0),
            r.IsDBNull(1) ? null : r.GetFloat(1),
            r.IsDBNull(2) ? null : r.GetInt32(2),
            r.IsDBNull(3) ? null : cipher.Open(SystemPromptField(r.GetGuid(7)), r.GetFieldValue<byte[]>(3)),
            r.IsDBNull(4) ? null : r.GetInt32(4),
            r.IsDBNull(5) ? null : r.GetFieldValue<string[]>(5),
            r.IsDBNull(6) ? null : r.GetFieldValue<byte[]>(6));
    }
}
