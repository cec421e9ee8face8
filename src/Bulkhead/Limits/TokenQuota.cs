using Bulkhead.Audit;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Limits;

/// <summary>
/// The token quota in PostgreSQL, through the tenant session. A reservation is one round trip: the
/// month's total is bumped only when the estimate fits (the row lock serialises concurrent
/// reservations, so the quota is never oversold) and the ledger row is written in the same statement.
/// </summary>
public sealed class TokenQuota(IPlacementRouter router, TenantLimitsSource limits, TenantDirectory directory, TimeProvider time) : ITokenQuota
{
    private const string EnsureMonth =
        "insert into token_usage_months (tenant_id, month) values ($1, $2) on conflict (tenant_id, month) do nothing";

    private const string Reserve = """
        with admitted as (
            update token_usage_months m set reserved_tokens = m.reserved_tokens + $3
             where m.tenant_id = $1 and m.month = $2 and ($4::bigint is null or m.used_tokens + m.reserved_tokens + $3 <= $4::bigint)
            returning m.tenant_id, m.month),
        entry as (
            insert into token_ledger (tenant_id, id, month, sub, model, reserved_tokens)
            select a.tenant_id, $5, a.month, $6, $7, $3 from admitted a
            returning id)
        select (select count(*) from entry), m.used_tokens + m.reserved_tokens
          from token_usage_months m where m.tenant_id = $1 and m.month = $2
        """;

    private const string Settle = """
        with settled as (
            update token_ledger l set used_tokens = $3, state = $4, settled_at = now()
             where l.tenant_id = $1 and l.id = $2 and l.state = 'reserved'
            returning l.month, l.reserved_tokens)
        update token_usage_months m
           set reserved_tokens = m.reserved_tokens - s.reserved_tokens, used_tokens = m.used_tokens + $3
          from settled s
         where m.tenant_id = $1 and m.month = s.month
        """;

    /// <summary>The usage read lists at most this many callers, the largest first.</summary>
    public const int MaxCallers = 500;

    // API-key calls are recorded under the key's sub, "api-key:{id}"; the join names the key.
    private const string ByCallerSql = """
        select l.sub, k.id, k.name, coalesce(sum(l.used_tokens), 0)::bigint, count(*)
          from token_ledger l
          left join api_keys k on k.tenant_id = l.tenant_id and l.sub = 'api-key:' || k.id::text
         where l.tenant_id = $1 and l.month = $2 and l.state = 'reconciled'
         group by l.sub, k.id, k.name
         order by 4 desc, l.sub
         limit $3
        """;

    public async Task<TokenReservation> ReserveAsync(TenantScope tenant, string sub, string model, int estimatedTokens, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentException.ThrowIfNullOrEmpty(sub);
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        var quota = (await limits.GetAsync(tenant.TenantId, ct)).Effective.MonthlyTokens;
        var month = Month(time.GetUtcNow());
        var id = Guid.CreateVersion7();

        await using var session = await TenantSession.OpenAsync(tenant, router, ct);
        await using var reader = await session.ReadAsync(ct,
            Sql.Command(EnsureMonth, tenant.TenantId, month),
            Sql.Command(Reserve, tenant.TenantId, month, (long)estimatedTokens, quota, id, sub, model));
        await reader.ReadAsync(ct);
        if (reader.GetInt64(0) == 1)
        {
            return new TokenReservation(id, tenant, month, estimatedTokens);
        }

        throw new TokenQuotaExceededException(quota!.Value, reader.GetInt64(1), estimatedTokens, ResetsAt(month));
    }

    public Task<bool> ReconcileAsync(TokenReservation reservation, int actualTokens, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        return SettleAsync(reservation, actualTokens, "reconciled", ct);
    }

    public Task<bool> ReleaseAsync(TokenReservation reservation, CancellationToken ct) => SettleAsync(reservation, 0, "released", ct);

    public async Task<MonthlyUsage> GetUsageAsync(TenantScope tenant, AuditActor? reader, CancellationToken ct)
    {
        var quota = (await limits.GetAsync(tenant.TenantId, ct)).Effective.MonthlyTokens;
        var month = Month(time.GetUtcNow());
        await using var session = await TenantSession.OpenAsync(tenant, router, reader, ct);
        await using var rows = await session.ReadAsync(ct,
            session.Audited(AuditActions.UsageRead, month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), Sql.Command(
                "select coalesce(sum(m.used_tokens), 0)::bigint, coalesce(sum(m.reserved_tokens), 0)::bigint from token_usage_months m where m.tenant_id = $1 and m.month = $2",
                tenant.TenantId, month)),
            Sql.Command(
                "select l.model, coalesce(sum(l.used_tokens), 0)::bigint, count(*) from token_ledger l " +
                "where l.tenant_id = $1 and l.month = $2 and l.state = 'reconciled' group by l.model order by l.model",
                tenant.TenantId, month),
            Sql.Command(ByCallerSql, tenant.TenantId, month, MaxCallers));
        await rows.ReadAsync(ct);
        var (used, reserved) = (rows.GetInt64(0), rows.GetInt64(1));
        await rows.NextResultAsync(ct);
        var byModel = new List<ModelUsage>();
        while (await rows.ReadAsync(ct))
        {
            byModel.Add(new ModelUsage(rows.GetString(0), rows.GetInt64(1), rows.GetInt64(2)));
        }

        await rows.NextResultAsync(ct);
        var byCaller = new List<CallerUsage>();
        while (await rows.ReadAsync(ct))
        {
            byCaller.Add(new CallerUsage(rows.GetString(0), rows.IsDBNull(1) ? null : rows.GetGuid(1), rows.IsDBNull(2) ? null : rows.GetString(2), rows.GetInt64(3), rows.GetInt64(4)));
        }

        return new MonthlyUsage(month, used, reserved, quota, ResetsAt(month), byModel, byCaller);
    }

    public static DateOnly Month(DateTimeOffset now) => new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);

    public static DateTimeOffset ResetsAt(DateOnly month) =>
        new(month.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    // A reservation outlives the model call, and the tenant may have moved meanwhile (the ledger row moved
    // with it): the stale placement refuses the settlement, which is then made where the tenant lives now.
    private async Task<bool> SettleAsync(TokenReservation reservation, long tokens, string state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        try
        {
            return await SettleInAsync(reservation.Tenant, reservation, tokens, state, ct);
        }
        catch (PostgresException e) when (PlacementFence.IsStale(e))
        {
            var tenant = await directory.ResolveAgainAsync(reservation.Tenant.TenantId, reservation.Tenant.Epoch, ct);
            return tenant is not null && await SettleInAsync(tenant.Scope, reservation, tokens, state, ct);
        }
    }

    private async Task<bool> SettleInAsync(TenantScope scope, TokenReservation reservation, long tokens, string state, CancellationToken ct)
    {
        await using var session = await TenantSession.OpenAsync(scope, router, ct);
        var affected = await session.ExecuteAsync(ct, Sql.Command(Settle, scope.TenantId, reservation.Id, tokens, state));
        return affected[0] == 1;
    }
}
