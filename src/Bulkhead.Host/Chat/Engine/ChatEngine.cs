using Bulkhead.Host.Chat.Providers;

namespace Bulkhead.Host.Chat.Engine;

/// <summary>
/// Every model call, from every door: create the provider's client, admit (concurrency gate, then the
/// token quota reservation), call the model into the sink, count the usage the provider did not report,
/// record, settle the reservation. A failure before anything reached the client throws
/// <see cref="ModelCallException"/> and records nothing; what a call produced is recorded (incomplete when
/// a stream was cut) with a deadline of its own, whether or not the client is still there, and charged
/// even when recording fails.
/// </summary>
public sealed class ChatEngine(ModelProviders providers, ChatAdmission admission, TokenCounter tokens, ILogger<ChatEngine> log)
{
    /// <summary>How long recording a model call may take once the caller is gone (the request was cancelled).</summary>
    public static readonly TimeSpan RecordDeadline = TimeSpan.FromSeconds(15);

    public async Task<ChatRun<TRecord>> RunAsync<TRecord>(ModelCall call, IChatSink sink, IChatRecorder<TRecord> recorder, CancellationToken ct)
    {
        using var client = providers.Create(call);
        await using var ticket = await admission.AdmitAsync(call.Tenant, call.Sub, call.Model, tokens.Count(call.Messages) + call.MaxTokens, ct);
        var run = sink.Streams
            ? await ModelRun.StreamAsync(client, call, sink.WriteAsync, ct)
            : await ModelRun.CompleteAsync(client, call, ct);
        ModelFailure? failure = null;
        if (run.Outcome == RunOutcome.Failed)
        {
            log.LogWarning(run.Failure, "Model call failed for tenant {TenantId} with model {Model}", call.Tenant.TenantId, call.Model);
            failure = providers.Classify(call.Model, run.Failure!);
            if (!sink.Started)
            {
                throw new ModelCallException(failure, run.Failure);
            }
        }

        var answer = ModelAnswer.Of(run, call.Messages, tokens);
        TRecord recorded;
        try
        {
            // The client may be gone (a stream cut, a JSON caller that hung up): what the model produced is
            // recorded all the same, within a deadline of its own.
            using var deadline = new CancellationTokenSource(RecordDeadline);
            recorded = await recorder.RecordAsync(call, answer, deadline.Token);
        }
        finally
        {
            // What the provider produced is charged even when recording it failed.
            await ticket.SettleAsync(answer.TotalTokens);
        }

        return new ChatRun<TRecord>(answer, recorded, run.Outcome, failure);
    }
}
