using Bulkhead.Host.Chat.Engine;

namespace Bulkhead.Host.Chat;

/// <summary>A conversation turn read and checked before the model is called: the call, and how it is recorded.</summary>
public sealed record PreparedTurn(ModelCall Call, TurnRecorder Recorder);
