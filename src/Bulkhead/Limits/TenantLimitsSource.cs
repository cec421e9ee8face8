using System.Collections.Concurrent;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Limits;

/// <summary>
/// A tenant's limits: its overrides (control.tenant_limits) over its plan (<see cref="PlanCatalog"/>) over the
/// configured default burst. A tenant's plan and overrides are cached for <see cref="LimitsOptions.PolicyCacheTtl"/>
/// so that a request costs no round trip; an override written through this instance is seen at once, on
/// other instances within the TTL.
/// </summary>
public sealed class TenantLimitsSource(NpgsqlDataSource controlPlane, PlanCatalog plans, LimitsOptions options, TimeProvider time)
{
    private const string Query = """
        select t.plan, o.requests_per_minute, o.user_requests_per_minute, o.monthly_tokens, o.max_concurrent_llm_calls, o.burst_seconds
          from control.tenants t
          left join control.tenant_limits o on o.tenant_id = t.id
         where t.id = $1
        """;

    private readonly ConcurrentDictionary<Guid, (TenantLimits? Limits, DateTimeOffset Expires)> _cache = new();

    /// <returns>The limits, or null when the tenant does not exist.</returns>
    public async ValueTask<TenantLimits?> FindAsync(Guid tenantId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(tenantId, out var entry) && entry.Expires > now)
        {
            return entry.Limits;
        }

        var limits = await LoadAsync(tenantId, ct);
        _cache[tenantId] = (limits, now + options.PolicyCacheTtl);
        return limits;
    }

    public async ValueTask<TenantLimits> GetAsync(Guid tenantId, CancellationToken ct) =>
        await FindAsync(tenantId, ct) ?? throw new InvalidOperationException($"Tenant {tenantId} does not exist.");

    /// <returns>False when the tenant does not exist.</returns>
    public async Task<bool> SetOverridesAsync(Guid tenantId, LimitSet overrides, CancellationToken ct)
    {
        await using var batch = controlPlane.CreateBatch();
        batch.BatchCommands.Add(Sql.Command(
            """
            insert into control.tenant_limits (tenant_id, requests_per_minute, user_requests_per_minute, monthly_tokens, max_concurrent_llm_calls, burst_seconds)
            select t.id, $2, $3, $4, $5, $6 from control.tenants t where t.id = $1
            on conflict (tenant_id) do update set
                requests_per_minute = excluded.requests_per_minute,
                user_requests_per_minute = excluded.user_requests_per_minute,
                monthly_tokens = excluded.monthly_tokens,
                max_concurrent_llm_calls = excluded.max_concurrent_llm_calls,
                burst_seconds = excluded.burst_seconds,
                updated_at = now()
            """,
            tenantId, overrides.RequestsPerMinute, overrides.UserRequestsPerMinute, overrides.MonthlyTokens, overrides.MaxConcurrentLlmCalls, overrides.BurstSeconds));
        var written = await batch.ExecuteNonQueryAsync(ct) == 1;
        Forget(tenantId);
        return written;
    }

    public async Task ClearOverridesAsync(Guid tenantId, CancellationToken ct)
    {
        await using var batch = controlPlane.CreateBatch();
        batch.BatchCommands.Add(Sql.Command("delete from control.tenant_limits where tenant_id = $1", tenantId));
        await batch.ExecuteNonQueryAsync(ct);
        Forget(tenantId);
    }

    public void Forget(Guid tenantId) => _cache.TryRemove(tenantId, out _);

    private async Task<TenantLimits?> LoadAsync(Guid tenantId, CancellationToken ct)
    {
        string planName;
        LimitSet overrides;
        await using (var batch = controlPlane.CreateBatch())
        {
            batch.BatchCommands.Add(Sql.Command(Query, tenantId));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            planName = reader.GetString(0);
            overrides = new LimitSet(IntOrNull(reader, 1), IntOrNull(reader, 2), reader.IsDBNull(3) ? null : reader.GetInt64(3), IntOrNull(reader, 4), IntOrNull(reader, 5));
        }

        var plan = await plans.GetAsync(planName, ct);
        var effective = overrides.Over(plan.Limits).Over(LimitSet.None with { BurstSeconds = options.BurstSeconds });
        return new TenantLimits(tenantId, planName, overrides, effective);
    }

    private static int? IntOrNull(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt32(i);
}
