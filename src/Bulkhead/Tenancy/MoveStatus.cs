using Npgsql;
using NpgsqlTypes;

namespace Bulkhead.Tenancy;

/// <summary>
/// A running (or failed) move as <c>control.moves</c> records it while it runs: phase, step, rows copied of
/// the rows to copy. Counts and placements only, never tenant content. No row: no move under way.
/// </summary>
public sealed record MoveStatus(
    Guid TenantId, string Phase, string Step, long RowsCopied, long RowsTotal, string FromTier, string ToTier, string? Error,
    DateTimeOffset StartedAt, DateTimeOffset UpdatedAt)
{
    public static async Task<MoveStatus?> FindAsync(NpgsqlDataSource controlPlane, Guid tenantId, CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand("""
            select phase, step, rows_copied, rows_total, from_tier, to_tier, error, started_at, updated_at
              from control.moves where tenant_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new MoveStatus(tenantId, reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8))
            : null;
    }

    /// <summary>Records the step a move has reached; rows null leaves the counts as they are.</summary>
    public static async Task RecordStepAsync(NpgsqlConnection control, Guid tenantId, string step, long? copied, long? total, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            update control.moves
               set step = $2, rows_copied = coalesce($3, rows_copied), rows_total = coalesce($4, rows_total), updated_at = now()
             where tenant_id = $1
            """, control);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = step });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)copied ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)total ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Marks an unfinished move as failed, with a code that names the kind of failure and no database message
    /// (an error's text can quote a row); a rule the move broke is its own message. Nothing happens when no move
    /// is recorded (the rule was broken before it started). Best effort: the failure may be the connection's own.
    /// </summary>
    public static async Task RecordFailureAsync(NpgsqlConnection control, Guid tenantId, Exception failure)
    {
        var code = failure switch
        {
            TenantRuleException rule => rule.Message,
            OperationCanceledException => "cancelled",
            PostgresException p => "database error " + p.SqlState,
            _ => failure.GetType().Name,
        };
        try
        {
            await using var command = new NpgsqlCommand("update control.moves set error = $2, updated_at = now() where tenant_id = $1", control);
            command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            command.Parameters.Add(new NpgsqlParameter { Value = code });
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The control connection itself failed; the move stays recorded as running until it is rerun.
        }
    }
}
