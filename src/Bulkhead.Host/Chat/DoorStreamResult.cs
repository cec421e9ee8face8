using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat;

/// <summary>
/// A chat completion streamed as OpenAI does: <c>chat.completion.chunk</c> objects, a usage chunk when asked
/// for, then <c>[DONE]</c>. As in <see cref="ChatStreamResult"/>, nothing is sent before the first words, a
/// client that leaves cancels the upstream call, and a mid-stream failure ends with an error object.
/// </summary>
public sealed class DoorStreamResult(ChatService chat, DoorCall call, bool includeUsage) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        var model = call.Settings.Model;
        IChatClient client;
        try
        {
            client = chat.Models.Create(call.Caller.Tenant.Id, call.Settings, model);
        }
        catch (ModelUnavailableException e)
        {
            await UpstreamProblem.Unavailable(e).ExecuteAsync(http);
            return;
        }

        using (client)
        {
            await using var ticket = await chat.Admission.AdmitAsync(call.Caller.Tenant.Scope, call.Caller.Sub, model, chat.Tokens.Count(call.Messages) + call.Options.MaxOutputTokens!.Value, ct);
            var sse = new SseWriter(http);
            var first = true;
            var run = await ModelRun.StreamAsync(client, call.Messages, call.Options, async delta =>
            {
                await sse.WriteAsync(null, Chunk(new ChunkDelta(first ? "assistant" : null, delta), null));
                first = false;
            }, ct);
            if (run.Outcome == RunOutcome.Failed && !sse.Started)
            {
                http.RequestServices.GetRequiredService<ILogger<DoorStreamResult>>()
                    .LogWarning(run.Failure, "Streaming model call failed for tenant {TenantId} with model {Model}", call.Caller.Tenant.Id, model);
                await UpstreamProblem.For(run.Failure!).ExecuteAsync(http);
                return;
            }

            var complete = run.Outcome == RunOutcome.Completed;
            var text = run.Text.ToString();
            var prompt = (int)(complete && run.Usage?.InputTokenCount is { } input ? input : chat.Tokens.Count(call.Messages));
            var completion = (int)(complete && run.Usage?.OutputTokenCount is { } output ? output : chat.Tokens.Count(text));
            using (var storeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            {
                await call.RecordAsync(prompt, completion, complete, storeTimeout.Token);
            }

            await ticket.SettleAsync(prompt + completion);
            if (run.Outcome == RunOutcome.ClientGone)
            {
                return;
            }

            try
            {
                if (run.Outcome == RunOutcome.Failed)
                {
                    var error = new { error = new { message = UpstreamProblem.Detail(run.Failure!), type = "upstream_error", code = UpstreamProblem.StatusFor(run.Failure!) } };
                    await sse.WriteAsync(null, error);
                    return;
                }

                await sse.WriteAsync(null, Chunk(new ChunkDelta(first ? "assistant" : null, null), OpenAIDoorApi.FinishReason(run.FinishReason)));
                if (includeUsage)
                {
                    await sse.WriteAsync(null, new CompletionChunk(call.Id, "chat.completion.chunk", call.Created, model, []) { Usage = new CompletionUsage(prompt, completion, prompt + completion) });
                }

                await sse.WriteRawAsync(null, "[DONE]");
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client left after the last word; the usage is recorded.
            }
        }
    }

    private CompletionChunk Chunk(ChunkDelta delta, string? finish) =>
        new(call.Id, "chat.completion.chunk", call.Created, call.Settings.Model, [new ChunkChoice(0, delta, finish)]);
}
