using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Chat;

/// <summary>
/// The session tenant's chat configuration. Every change is a new row and the newest row wins, so the
/// history of who changed what stays; reads go to PostgreSQL every time, so a change is seen by the
/// next request on every instance.
/// </summary>
public sealed class TenantConfigStore(TenantSession session)
{
    /// <summary>Plan defaults and the newest overrides in one statement; $1 is the tenant id.</summary>
    public const string ReadSql = """
        select t.plan, p.max_tokens, p.chat_model, p.chat_temperature, p.chat_system_prompt, p.chat_retention_days, p.chat_models,
               c.model, c.temperature, c.max_tokens, c.system_prompt, c.retention_days, c.allowed_models, c.provider_key_sealed
          from control.tenants t
          join control.plans p on p.name = t.plan
          left join lateral (
                select * from tenant_config c where c.tenant_id = t.id order by c.id desc limit 1) c on true
         where t.id = $1
        """;

    // Two admins saving at once are serialised, so neither change is lost and the checks run on what is stored.
    private const string LockSql = "select pg_advisory_xact_lock(hashtext('bulkhead.tenant_config'), hashtext($1::text))";

    private const string InsertSql = """
        insert into tenant_config (tenant_id, id, model, temperature, max_tokens, system_prompt, retention_days, allowed_models, provider_key_sealed, changed_by)
        values ($1, $2, $3::text, $4::real, $5::integer, $6::text, $7::integer, $8::text[], $9::bytea, $10)
        """;

    public async Task<TenantChatConfig> ReadAsync(CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command(ReadSql, session.TenantId));
        return await ReadConfigAsync(reader, ct);
    }

    /// <summary>Opens a transaction, takes the tenant's configuration lock and reads what is stored.</summary>
    public async Task<TenantChatConfig> BeginChangeAsync(CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var reader = await session.ReadAsync(ct,
            Sql.Command(LockSql, session.TenantId),
            Sql.Command(ReadSql, session.TenantId));
        await reader.NextResultAsync(ct);
        return await ReadConfigAsync(reader, ct);
    }

    /// <summary>Stores the new overrides and commits the transaction of <see cref="BeginChangeAsync"/>.</summary>
    public async Task SaveAsync(ChatOverrides next, string changedBy, CancellationToken ct)
    {
        await session.ExecuteAsync(ct, Sql.Command(InsertSql,
            session.TenantId, Guid.CreateVersion7(), next.Model, next.Temperature, next.MaxTokens, next.SystemPrompt,
            next.RetentionDays, next.AllowedModels?.ToArray(), next.ProviderKeySealed, changedBy));
        await session.CommitAsync(ct);
    }

    /// <summary>Reads one row of <see cref="ReadSql"/> from the current result set.</summary>
    public static async Task<TenantChatConfig> ReadConfigAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        if (!await r.ReadAsync(ct))
        {
            throw new InvalidOperationException("The session's tenant is not in the control plane.");
        }

        var plan = new ChatDefaults(
            r.GetString(0),
            r.GetInt32(1),
            r.IsDBNull(2) ? null : r.GetString(2),
            r.IsDBNull(3) ? null : r.GetFloat(3),
            r.IsDBNull(4) ? null : r.GetString(4),
            r.IsDBNull(5) ? null : r.GetInt32(5),
            r.IsDBNull(6) ? null : r.GetFieldValue<string[]>(6));
        var overrides = new ChatOverrides(
            r.IsDBNull(7) ? null : r.GetString(7),
            r.IsDBNull(8) ? null : r.GetFloat(8),
            r.IsDBNull(9) ? null : r.GetInt32(9),
            r.IsDBNull(10) ? null : r.GetString(10),
            r.IsDBNull(11) ? null : r.GetInt32(11),
            r.IsDBNull(12) ? null : r.GetFieldValue<string[]>(12),
            r.IsDBNull(13) ? null : r.GetFieldValue<byte[]>(13));
        return new TenantChatConfig(plan, overrides);
    }
}
