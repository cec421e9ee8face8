using System.Text;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat.Engine;

/// <summary>How a model call ended.</summary>
public enum RunOutcome
{
    Completed,

    /// <summary>The client went away; the upstream call was cancelled with it.</summary>
    ClientGone,

    /// <summary>The provider failed, timed out or sent something unreadable.</summary>
    Failed,
}

/// <summary>One model call and what it produced, whatever the outcome.</summary>
public sealed class ModelRun
{
    public StringBuilder Text { get; } = new();

    public UsageDetails? Usage { get; private set; }

    public ChatFinishReason? FinishReason { get; private set; }

    public RunOutcome Outcome { get; private set; }

    public Exception? Failure { get; private set; }

    /// <summary>The whole answer at once. A caller that leaves cancels the call, and the cancellation propagates.</summary>
    public static async Task<ModelRun> CompleteAsync(IChatClient client, ModelCall call, CancellationToken ct)
    {
        var run = new ModelRun();
        try
        {
            var response = await client.GetResponseAsync(call.Messages, call.Options, ct);
            run.Text.Append(response.Text);
            run.Usage = response.Usage;
            run.FinishReason = response.FinishReason;
            run.Outcome = RunOutcome.Completed;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            run.Outcome = RunOutcome.Failed;
            run.Failure = e;
        }

        return run;
    }

    /// <summary>Streams the call, handing each piece of text to <paramref name="onDelta"/> as it arrives.</summary>
    public static async Task<ModelRun> StreamAsync(IChatClient client, ModelCall call, Func<string, Task> onDelta, CancellationToken ct)
    {
        var run = new ModelRun();
        var clientGone = false;
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(call.Messages, call.Options, ct).WithCancellation(ct))
            {
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    run.Usage = usage.Details;
                }

                run.FinishReason = update.FinishReason ?? run.FinishReason;
                var text = update.Text;
                if (text.Length == 0)
                {
                    continue;
                }

                run.Text.Append(text);
                try
                {
                    await onDelta(text);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    // Writing to a client that left: stop the upstream call as if the request was aborted.
                    clientGone = true;
                    break;
                }
            }

            run.Outcome = clientGone ? RunOutcome.ClientGone : RunOutcome.Completed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            run.Outcome = RunOutcome.ClientGone;
        }
        catch (Exception e)
        {
            run.Outcome = RunOutcome.Failed;
            run.Failure = e;
        }

        return run;
    }
}
