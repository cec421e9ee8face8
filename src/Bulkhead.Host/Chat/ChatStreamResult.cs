using Bulkhead.Host.Chat.Engine;

namespace Bulkhead.Host.Chat;

/// <summary>
/// A model call answered as server-sent events, in the protocol of its sink. Nothing is sent before the
/// model's first words, so a provider that fails at once still gets a plain 502/504 problem (503 when the
/// call cannot be made). A client that leaves cancels the upstream call and what was produced is recorded
/// as incomplete; a provider that fails mid-stream ends the stream with the sink's error.
/// </summary>
public sealed class ChatStreamResult<TRecord>(ChatEngine engine, ModelCall call, IChatRecorder<TRecord> recorder, Func<SseWriter, IStreamSink<TRecord>> protocol) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var sink = protocol(new SseWriter(http));
        ChatRun<TRecord> run;
        try
        {
            run = await engine.RunAsync(call, sink, recorder, http.RequestAborted);
        }
        catch (ModelCallException e)
        {
            await UpstreamProblem.For(e.Failure).ExecuteAsync(http);
            return;
        }

        if (run.Outcome == RunOutcome.ClientGone)
        {
            return;
        }

        try
        {
            await sink.EndAsync(run);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client left after the last word; the call is recorded.
        }
    }
}
