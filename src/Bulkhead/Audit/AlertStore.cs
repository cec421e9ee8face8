using System.Text.Json;
using Npgsql;

namespace Bulkhead.Audit;

/// <summary>Alerts in the control plane, written and read as the runtime role (they hold no tenant content).</summary>
public sealed class AlertStore(NpgsqlDataSource controlPlane, TimeProvider time)
{
    private const string Columns = "id, kind, tenant_id, sub, target_tenant, detail::text, raised_at";

    public async Task<Alert> RaiseAsync(string kind, Guid? tenantId, string? sub, object detail, CancellationToken ct)
    {
        var alert = new Alert(Guid.CreateVersion7(), kind, tenantId, sub, null, JsonSerializer.Serialize(detail), time.GetUtcNow());
        await using var command = controlPlane.CreateCommand(
            "insert into control.alerts (id, kind, tenant_id, sub, detail, raised_at) values ($1, $2, $3, $4, $5::jsonb, $6)");
        foreach (var arg in new object?[] { alert.Id, kind, tenantId, sub, alert.Detail, alert.RaisedAt })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        await command.ExecuteNonQueryAsync(ct);
        return alert;
    }

    /// <summary>
    /// Asks the privileged probe check whether another tenant owns the missed id. It records the alert
    /// itself and answers only with the alert's id, or null.
    /// </summary>
    public async Task<Alert?> ReportProbeAsync(Guid tenantId, string sub, string resourceType, Guid resourceId, CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand("select audit_private.report_probe($1, $2, $3, $4)");
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = sub });
        command.Parameters.Add(new NpgsqlParameter { Value = resourceType });
        command.Parameters.Add(new NpgsqlParameter { Value = resourceId });
        return await command.ExecuteScalarAsync(ct) is Guid id ? await FindAsync(id, ct) : null;
    }

    public async Task<Alert?> FindAsync(Guid id, CancellationToken ct)
    {
        var found = await QueryAsync($"select {Columns} from control.alerts where id = $1", [id], ct);
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>Newest first; <paramref name="before"/> is the last id of the previous page.</summary>
    public Task<IReadOnlyList<Alert>> ListAsync(string? kind, Guid? tenantId, Guid? before, int limit, CancellationToken ct) =>
        QueryAsync(
            $"""
            select {Columns} from control.alerts
             where ($1::text is null or kind = $1) and ($2::uuid is null or tenant_id = $2 or target_tenant = $2)
               and ($3::uuid is null or (raised_at, id) < (select raised_at, id from control.alerts where id = $3))
             order by raised_at desc, id desc limit $4
            """,
            [kind, tenantId, before, limit], ct);

    private async Task<IReadOnlyList<Alert>> QueryAsync(string sql, object?[] args, CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand(sql);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        var alerts = new List<Alert>();
        while (await reader.ReadAsync(ct))
        {
            alerts.Add(new Alert(
                reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return alerts;
    }
}
