using Bulkhead.Chat;
using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Crypto;

/// <summary>
/// The content half of a rotation (<c>./bulkhead keys rotate</c>): seals what was stored before encryption
/// (version 0: titles, messages, system prompts; titles get their blind-index terms too) and re-seals what the
/// tenant key sealed under an earlier data key, under the current one. User content stays under its user's
/// key, which a rotation re-wraps, not replaces. A page at a time in id order (the primary key's), each page
/// one round trip: rows already done drop out of the query, so a pass that stopped resumes by running again. A row changed meanwhile (renamed,
/// or erased) is left as it now is: the update names the value it read.
/// </summary>
public sealed class ContentSealPass(KeyRing ring)
{
    public const int Page = 500;

    private const string LegacyTitles = """
        from conversations c join users u on u.tenant_id = c.tenant_id and u.id = c.user_id
        where c.tenant_id = $1 and substring(c.title from 1 for 1) = '\x00'::bytea
        """;

    private const string LegacyMessages = """
        from messages m
        join conversations c on c.tenant_id = m.tenant_id and c.id = m.conversation_id
        join users u on u.tenant_id = c.tenant_id and u.id = c.user_id
        where m.tenant_id = $1 and substring(m.content from 1 for 1) = '\x00'::bytea
        """;

    // Not under the current tenant data key ($2): version 0, or a key id (bytes 2-17) of an earlier key.
    private const string StalePrompts = """
        from tenant_config t
        where t.tenant_id = $1 and t.system_prompt is not null and length(t.system_prompt) > 0
          and (substring(t.system_prompt from 1 for 1) = '\x00'::bytea or substring(t.system_prompt from 2 for 16) <> $2)
        """;

    /// <param name="progress">Called with (values done, values in all) after each page.</param>
    public async Task<SealPassReport> RunAsync(TenantScope scope, IPlacementRouter router, Action<long, long>? progress, CancellationToken ct)
    {
        var tenant = scope.TenantId;
        var cipher = ring.For(tenant);
        var current = ring.Tenant(tenant).Current.ToByteArray();
        await using var session = await TenantSession.OpenAsync(scope, router, ct);
        var count = new Counter(
            await CountAsync(session, LegacyTitles, [tenant], ct) + await CountAsync(session, LegacyMessages, [tenant], ct) +
            await CountAsync(session, StalePrompts, [tenant, current], ct),
            progress);

        var titles = await PassAsync(session, $"select c.id, c.title, u.sub {LegacyTitles} and c.id > $2 order by c.id limit {Page}", [tenant], count, (id, value, sub) =>
        {
            var field = ConversationStore.TitleField(id, sub!);
            var text = cipher.Open(field, value);
            return [
                Sql.Command("update conversations set title = $3 where tenant_id = $1 and id = $2 and title = $4", tenant, id, cipher.Seal(field, text), value),
                ConversationStore.TermsCommand(tenant, id, cipher.Terms(text)),
            ];
        }, ct);

        var messages = await PassAsync(session, $"select m.id, m.content, u.sub {LegacyMessages} and m.id > $2 order by m.id limit {Page}", [tenant], count, (id, value, sub) =>
        {
            var field = ConversationStore.ContentField(id, sub!);
            return [Sql.Command("update messages set content = $3 where tenant_id = $1 and id = $2 and content = $4",
                tenant, id, cipher.Seal(field, cipher.Open(field, value)), value)];
        }, ct);

        var prompts = await PassAsync(session, $"select t.id, t.system_prompt, null::text {StalePrompts} and t.id > $3 order by t.id limit {Page}", [tenant, current], count, (id, value, _) =>
        {
            var field = TenantConfigStore.SystemPromptField(id);
            return [Sql.Command("update tenant_config set system_prompt = $3 where tenant_id = $1 and id = $2 and system_prompt = $4",
                tenant, id, cipher.Seal(field, cipher.Open(field, value)), value)];
        }, ct);

        return new SealPassReport(titles, messages, prompts);
    }

    /// <summary>
    /// Pages through the rows the query finds (id, value, owner's sub), in id order from after the last page's
    /// last id (the query's last parameter), so that each row is read once however many are left as they were;
    /// each page's updates go in one round trip.
    /// </summary>
    private static async Task<long> PassAsync(
        TenantSession session, string query, object[] args, Counter count, Func<Guid, byte[], string?, NpgsqlBatchCommand[]> reseal, CancellationToken ct)
    {
        long sealedRows = 0;
        var after = Guid.Empty;
        while (true)
        {
            var page = new List<(Guid Id, byte[] Value, string? Sub)>();
            await using (var reader = await session.ReadAsync(ct, Sql.Command(query, [.. args, after])))
            {
                while (await reader.ReadAsync(ct))
                {
                    page.Add((reader.GetGuid(0), reader.GetFieldValue<byte[]>(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
                }
            }

            if (page.Count == 0)
            {
                return sealedRows;
            }

            var commands = page.SelectMany(row => reseal(row.Id, row.Value, row.Sub)).ToArray();
            var affected = await session.ExecuteAsync(ct, commands);
            sealedRows += affected.Where((_, i) => commands[i].CommandText.StartsWith("update", StringComparison.Ordinal)).Sum();
            after = page[^1].Id;
            count.Add(page.Count);
        }
    }

    private static async Task<long> CountAsync(TenantSession session, string from, object[] args, CancellationToken ct)
    {
        await using var reader = await session.ReadAsync(ct, Sql.Command($"select count(*) {from}", args));
        return await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0;
    }

    private sealed class Counter(long total, Action<long, long>? progress)
    {
        private long _done;

        public void Add(long rows)
        {
            _done = Math.Min(total, _done + rows);
            progress?.Invoke(_done, total);
        }
    }
}

/// <summary>What a content seal pass changed: values sealed or re-sealed, per column.</summary>
public sealed record SealPassReport(long Titles, long Messages, long SystemPrompts)
{
    public long Total => Titles + Messages + SystemPrompts;
}
