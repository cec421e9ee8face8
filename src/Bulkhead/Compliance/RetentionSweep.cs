using Bulkhead.Audit;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Compliance;

/// <summary>One tenant's retention work: its id and placement come in the payload, never from ambient state.</summary>
public sealed record RetentionWork(TenantScope Scope, int? PlanRetentionDays);

/// <summary>What one sweep deleted.</summary>
public sealed record RetentionResult(Guid TenantId, long Conversations, long Messages);

/// <summary>
/// Enforces retention_days (the tenant's override, else its plan's; none means keep): deletes the
/// conversations untouched for longer (their messages go with them), then older messages of the ones that
/// remain. Every tenant gets its own session and scope; the sweep is audited under the system actor.
/// </summary>
public sealed class RetentionSweep(NpgsqlDataSource controlPlane, IPlacementRouter router, TimeProvider time)
{
    // The cut-off in days: the tenant's newest override, else the plan's ($2); null keeps everything.
    private const string Days =
        "coalesce((select c.retention_days from tenant_config c where c.tenant_id = $1 order by c.id desc limit 1), $2::integer)";

    private const string ConversationsSql =
        $"delete from conversations c where c.tenant_id = $1 and c.updated_at < $3::timestamptz - make_interval(days => {Days}) returning c.id";

    private const string MessagesSql =
        $"delete from messages m where m.tenant_id = $1 and m.created_at < $3::timestamptz - make_interval(days => {Days})";

    /// <summary>Every active or suspended tenant, with its plan's retention, read from the control plane.</summary>
    public Task<IReadOnlyList<RetentionWork>> PlanAsync(CancellationToken ct) => PlanAsync(null, ct);

    private async Task<IReadOnlyList<RetentionWork>> PlanAsync(Guid? only, CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand("""
            select t.id, p.tier, p.server, p.database, p.schema_name, pl.chat_retention_days, p.epoch
              from control.tenants t
              join control.placements p on p.tenant_id = t.id
              join control.plans pl on pl.name = t.plan
             where t.status in ('active', 'suspended') and not exists (select 1 from control.moves m where m.tenant_id = t.id)
               and ($1::uuid is null or t.id = $1)
             order by t.id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var work = new List<RetentionWork>();
        while (await reader.ReadAsync(ct))
        {
            var placement = new Placement(Enum.Parse<Tier>(reader.GetString(1), ignoreCase: true), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
            work.Add(new RetentionWork(new TenantScope(reader.GetGuid(0), placement, reader.GetInt64(6)), reader.IsDBNull(5) ? null : reader.GetInt32(5)));
        }

        return work;
    }

    /// <summary>
    /// Sweeps the tenant where the work item says it lives. When the tenant has moved (or is being deleted)
    /// since the plan was read, its old placement refuses the deletes, and the tenant is resolved again and
    /// swept where it lives now, or not at all when it is no longer active or suspended.
    /// </summary>
    public async Task<RetentionResult> SweepAsync(RetentionWork work, CancellationToken ct)
    {
        try
        {
            return await SweepInPlaceAsync(work, ct);
        }
        catch (PostgresException e) when (PlacementFence.IsStale(e))
        {
            var current = (await PlanAsync(work.Scope.TenantId, ct)).SingleOrDefault();
            return current is null ? new RetentionResult(work.Scope.TenantId, 0, 0) : await SweepInPlaceAsync(current, ct);
        }
    }

    private async Task<RetentionResult> SweepInPlaceAsync(RetentionWork work, CancellationToken ct)
    {
        await using var session = await TenantSession.OpenAsync(work.Scope, router, AuditActor.System("retention", AuditActions.RetentionSweep.Name), ct);
        var now = time.GetUtcNow();
        var messages = Sql.Command(MessagesSql, work.Scope.TenantId, work.PlanRetentionDays, now);
        long conversations = 0;
        await using (var reader = await session.ReadAsync(ct,
            session.Audited(AuditActions.RetentionSweep, null, Sql.Command(ConversationsSql, work.Scope.TenantId, work.PlanRetentionDays, now)),
            messages))
        {
            while (await reader.ReadAsync(ct))
            {
                conversations++;
            }

            while (await reader.NextResultAsync(ct))
            {
            }
        }

        return new RetentionResult(work.Scope.TenantId, conversations, messages.RecordsAffected);
    }
}
