using Microsoft.AspNetCore.Mvc;

namespace Bulkhead.Host.Chat;

/// <summary>
/// A chat turn answered as server-sent events: <c>delta</c> events as the model writes, then one <c>usage</c>
/// event. Nothing is sent before the model's first words, so a provider that fails at once still gets a
/// plain 502/504 problem. A client that leaves cancels the upstream call and what was produced is stored
/// as incomplete; a provider that fails mid-stream ends the stream with an <c>error</c> event.
/// </summary>
public sealed class ChatStreamResult(ChatService chat, PreparedTurn turn) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        var log = http.RequestServices.GetRequiredService<ILogger<ChatStreamResult>>();
        Microsoft.Extensions.AI.IChatClient client;
        try
        {
            client = chat.Models.Create(turn.Caller.Tenant.Id, turn.Settings, turn.Model);
        }
        catch (ModelUnavailableException e)
        {
            await UpstreamProblem.Unavailable(e).ExecuteAsync(http);
            return;
        }

        using (client)
        {
            await using var ticket = await chat.AdmitAsync(turn, ct);
            var sse = new SseWriter(http);
            var run = await ModelRun.StreamAsync(client, turn.Messages, turn.Options, delta => sse.WriteAsync("delta", new DeltaEvent(delta)), ct);
            if (run.Outcome == RunOutcome.Failed)
            {
                log.LogWarning(run.Failure, "Streaming model call failed for tenant {TenantId} with model {Model}", turn.Caller.Tenant.Id, turn.Model);
                if (!sse.Started)
                {
                    await UpstreamProblem.For(run.Failure!).ExecuteAsync(http);
                    return;
                }
            }

            var text = run.Text.ToString();
            var complete = run.Outcome == RunOutcome.Completed;
            var prompt = (int)(complete && run.Usage?.InputTokenCount is { } input ? input : chat.Tokens.Count(turn.Messages));
            var completion = (int)(complete && run.Usage?.OutputTokenCount is { } output ? output : chat.Tokens.Count(text));

            // The client may be gone: what was produced is stored all the same, with a deadline of its own.
            using var storeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var result = await chat.SaveAsync(turn, text, prompt, completion, complete, storeTimeout.Token);
            await ticket.SettleAsync(prompt + completion);
            if (run.Outcome == RunOutcome.ClientGone)
            {
                return;
            }

            try
            {
                if (run.Outcome == RunOutcome.Failed)
                {
                    var status = UpstreamProblem.StatusFor(run.Failure!);
                    await sse.WriteAsync("error", new ProblemDetails { Status = status, Title = status == 504 ? "Gateway Timeout" : "Bad Gateway", Detail = UpstreamProblem.Detail(run.Failure!) });
                }

                await sse.WriteAsync("usage", result.ToEndEvent());
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client left after the last word; the turn is stored.
            }
        }
    }
}
