using System.Collections.Concurrent;
using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Chat;

/// <summary>
/// The chat defaults of each plan, from the control plane (which a database-tier tenant's own database
/// does not hold). Plans are shared by every tenant and change rarely, so they are cached for
/// <see cref="TimeToLive"/>; a tenant's own configuration is never cached.
/// </summary>
public sealed class ChatPlanCatalog(NpgsqlDataSource controlPlane, TimeProvider time)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (ChatDefaults Defaults, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<ChatDefaults> FindAsync(string plan, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(plan, out var entry) && entry.Expires > now)
        {
            return entry.Defaults;
        }

        await using var batch = controlPlane.CreateBatch();
        batch.BatchCommands.Add(Sql.Command(
            "select name, max_tokens, chat_model, chat_temperature, chat_system_prompt, chat_retention_days, chat_models from control.plans where name = $1", plan));
        await using var r = await batch.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            throw new InvalidOperationException($"The plan '{plan}' is not in the control plane.");
        }

        var defaults = new ChatDefaults(
            r.GetString(0),
            r.GetInt32(1),
            r.IsDBNull(2) ? null : r.GetString(2),
            r.IsDBNull(3) ? null : r.GetFloat(3),
            r.IsDBNull(4) ? null : r.GetString(4),
            r.IsDBNull(5) ? null : r.GetInt32(5),
            r.IsDBNull(6) ? null : r.GetFieldValue<string[]>(6));
        _cache[plan] = (defaults, now + TimeToLive);
        return defaults;
    }
}
