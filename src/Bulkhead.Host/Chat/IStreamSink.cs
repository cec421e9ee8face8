using Bulkhead.Host.Chat.Engine;

namespace Bulkhead.Host.Chat;

/// <summary>A stream's protocol: its words as they come (<see cref="IChatSink"/>), then how it ends once the call is recorded.</summary>
public interface IStreamSink<TRecord> : IChatSink
{
    /// <summary>Ends a stream whose client is still there: the error of a provider that failed mid-way, or the usage.</summary>
    Task EndAsync(ChatRun<TRecord> run);
}
