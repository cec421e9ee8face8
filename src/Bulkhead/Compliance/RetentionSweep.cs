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
    public async Task<IReadOnlyList<RetentionWork>> PlanAsync(CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand("""
            select t.id, p.tier, p.server, p.database, p.schema_name, pl.chat_retention_days
              from control.tenants t
              join control.placements p on p.tenant_id = t.id
              join control.plans pl on pl.name = t.plan
             where t.status in ('active', 'suspended') and not exists (select 1 from control.moves m where m.tenant_id = t.id)
             order by t.id
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var work = new List<RetentionWork>();
        while (await reader.ReadAsync(ct))
        {
            var placement = new Placement(Enum.Parse<Tier>(reader.GetString(1), ignoreCase: true), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
            work.Add(new RetentionWork(new TenantScope(reader.GetGuid(0), placement), reader.IsDBNull(5) ? null : reader.GetInt32(5)));
        }

        return work;
    }

    public async Task<RetentionResult> SweepAsync(RetentionWork work, CancellationToken ct)
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
