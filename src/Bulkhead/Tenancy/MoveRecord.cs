using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>A tenant's unfinished move, as <c>control.moves</c> keeps it across a crash: the phase and both placements.</summary>
public sealed record MoveRecord(string Phase, Placement From, Placement To)
{
    public static async Task<MoveRecord?> FindAsync(NpgsqlConnection control, Guid tenantId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select phase, from_tier, from_server, from_database, from_schema, to_tier, to_server, to_database, to_schema from control.moves where tenant_id = $1", control);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new MoveRecord(reader.GetString(0), Read(reader, 1), Read(reader, 5)) : null;
    }

    private static Placement Read(NpgsqlDataReader reader, int first) => new(
        Enum.Parse<Tier>(reader.GetString(first), ignoreCase: true),
        reader.GetString(first + 1),
        reader.IsDBNull(first + 2) ? null : reader.GetString(first + 2),
        reader.GetString(first + 3));
}
