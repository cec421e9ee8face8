using Bulkhead.Host.Chat.Engine;

namespace Bulkhead.Host.Chat;

/// <summary>The chat API's stream: <c>delta</c> events as the model writes, an <c>error</c> event when it failed mid-way, then one <c>usage</c> event.</summary>
public sealed class ChatEventSink(SseWriter sse) : IStreamSink<TurnResult>
{
    public bool Streams => true;

    public bool Started => sse.Started;

    public Task WriteAsync(string delta) => sse.WriteAsync("delta", new DeltaEvent(delta));

    public async Task EndAsync(ChatRun<TurnResult> run)
    {
        if (run.Failure is { } failure)
        {
            await sse.WriteAsync("error", UpstreamProblem.Details(failure));
        }

        await sse.WriteAsync("usage", run.Recorded.ToEndEvent());
    }
}
