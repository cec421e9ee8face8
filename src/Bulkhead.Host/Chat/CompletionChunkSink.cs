using Bulkhead.Host.Chat.Engine;

namespace Bulkhead.Host.Chat;

/// <summary>
/// The OpenAI-compatible stream: <c>chat.completion.chunk</c> objects (the first carries the role), a last
/// chunk with the finish reason, a usage chunk when asked for, then <c>[DONE]</c>; a provider that failed
/// mid-way ends it with an error object instead.
/// </summary>
public sealed class CompletionChunkSink(SseWriter sse, CompletionHeader header, bool includeUsage) : IStreamSink<ModelAnswer>
{
    private bool _first = true;

    public bool Streams => true;

    public bool Started => sse.Started;

    public async Task WriteAsync(string delta)
    {
        await sse.WriteAsync(null, Chunk(delta, null));
        _first = false;
    }

    public async Task EndAsync(ChatRun<ModelAnswer> run)
    {
        if (run.Failure is { } failure)
        {
            await sse.WriteAsync(null, new { error = new { message = failure.Detail, type = "upstream_error", code = UpstreamProblem.StatusFor(failure) } });
            return;
        }

        await sse.WriteAsync(null, Chunk(null, CompletionHeader.FinishReason(run.Answer.FinishReason)));
        if (includeUsage)
        {
            await sse.WriteAsync(null, new CompletionChunk(header.Id, "chat.completion.chunk", header.Created, header.Model, []) { Usage = CompletionUsage.Of(run.Answer) });
        }

        await sse.WriteRawAsync(null, "[DONE]");
    }

    private CompletionChunk Chunk(string? content, string? finish) =>
        new(header.Id, "chat.completion.chunk", header.Created, header.Model, [new ChunkChoice(0, new ChunkDelta(_first ? "assistant" : null, content), finish)]);
}
