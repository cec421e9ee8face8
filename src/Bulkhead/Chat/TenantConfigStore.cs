using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Chat;

/// <summary>
/// The session tenant's chat configuration. Every change is a new row and the newest row wins, so the
/// history of who changed what stays; reads go to PostgreSQL every time, so a change is seen by the
/// next request on every instance. The plan's defaults come from <see cref="ChatPlanCatalog"/>.
/// </summary>
public sealed class TenantConfigStore(TenantSession session)
{
    /// <summary>The newest overrides of the tenant; $1 is the tenant id. No row means none.</summary>
    public const string ReadSql = """
        select c.model, c.temperature, c.max_tokens, c.system_prompt, c.retention_days, c.allowed_models, c.provider_key_sealed
          from tenant_config c
         where c.tenant_id = $1
         order by c.id desc
         limit 1
        """;

    // Two admins saving at once are serialised, so neither change is lost and the checks run on what is stored.
    private const string LockSql = "select pg_advisory_xact_lock(hashtext('bulkhead.tenant_config'), hashtext($1::text))";

    private const string InsertSql = """
        insert into tenant_config (tenant_id, id, model, temperature, max_tokens, system_prompt, retention_days, allowed_models, provider_key_sealed, changed_by)
        values ($1, $2, $3::text, $4::real, $5::integer, $6::text, $7::integer, $8::text[], $9::bytea, $10)
        """;

    public async Task<TenantChatConfig> ReadAsync(ChatDefaults plan, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command(ReadSql, session.TenantId));
        return new TenantChatConfig(plan, await ReadOverridesAsync(reader, ct));
    }

    /// <summary>Opens a transaction, takes the tenant's configuration lock and reads what is stored.</summary>
    public async Task<TenantChatConfig> BeginChangeAsync(ChatDefaults plan, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var reader = await session.ReadAsync(ct,
            Sql.Command(LockSql, session.TenantId),
            Sql.Command(ReadSql, session.TenantId));
        await reader.NextResultAsync(ct);
        return new TenantChatConfig(plan, await ReadOverridesAsync(reader, ct));
    }

    /// <summary>Stores the new overrides and commits the transaction of <see cref="BeginChangeAsync"/>.</summary>
    public async Task SaveAsync(ChatOverrides next, string changedBy, CancellationToken ct)
    {
        await session.ExecuteAsync(ct, Sql.Command(InsertSql,
            session.TenantId, Guid.CreateVersion7(), next.Model, next.Temperature, next.MaxTokens, next.SystemPrompt,
            next.RetentionDays, next.AllowedModels?.ToArray(), next.ProviderKeySealed, changedBy));
        await session.CommitAsync(ct);
    }

    /// <summary>Reads the row of <see cref="ReadSql"/> from the current result set, if there is one.</summary>
    public static async Task<ChatOverrides> ReadOverridesAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        if (!await r.ReadAsync(ct))
        {
            return ChatOverrides.None;
        }

        return new ChatOverrides(
            r.IsDBNull(0) ? null : r.GetString(0),
            r.IsDBNull(1) ? null : r.GetFloat(1),
            r.IsDBNull(2) ? null : r.GetInt32(2),
            r.IsDBNull(3) ? null : r.GetString(3),
            r.IsDBNull(4) ? null : r.GetInt32(4),
            r.IsDBNull(5) ? null : r.GetFieldValue<string[]>(5),
            r.IsDBNull(6) ? null : r.GetFieldValue<byte[]>(6));
    }
}
