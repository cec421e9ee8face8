using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// Where a move is, told twice: to the caller's progress (the CLI prints it) and to <c>control.moves</c>, where
/// <see cref="MoveStatus"/> reads it for anyone watching (the console's operator page). One small update per
/// step on the move's own control connection, never inside the frozen switch.
/// </summary>
public sealed class MoveSteps(NpgsqlConnection control, Guid tenantId, IProgress<string>? progress)
{
    public async Task StepAsync(string step, CancellationToken ct, long? copied = null, long? total = null)
    {
        progress?.Report(step);
        await MoveStatus.RecordStepAsync(control, tenantId, step, copied, total, ct);
    }
}
