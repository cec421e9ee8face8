namespace Bulkhead.Host.Chat.Engine;

/// <summary>
/// A recorded model call. <see cref="Failure"/> is set when the provider failed after the stream had
/// started (the sink tells the client); a failure before anything was sent is thrown instead.
/// </summary>
public sealed record ChatRun<TRecord>(ModelAnswer Answer, TRecord Recorded, RunOutcome Outcome, ModelFailure? Failure);
