namespace Bulkhead.Host.Chat.Engine;

/// <summary>What a door keeps of a call (a conversation turn, or the door's usage), stored before the reservation is settled.</summary>
public interface IChatRecorder<TRecord>
{
    Task<TRecord> RecordAsync(ModelCall call, ModelAnswer answer, CancellationToken ct);
}
