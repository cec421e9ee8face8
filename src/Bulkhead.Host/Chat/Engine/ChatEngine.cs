using Bulkhead.Host.Chat.Providers;

namespace Bulkhead.Host.Chat.Engine;

/// <summary>
/// Every model call, from every door: create the provider's client, admit (concurrency gate, then the
/// token quota reservation), call the model into the sink, count the usage the provider did not report,
/// record, settle the reservation. A failure before anything reached the client throws
/// <see cref="ModelCallException"/> and records nothing; what a stream produced before it was cut (the
/// client left, the provider failed) is recorded as incomplete, with a deadline of its own.
/// </summary>
public sealed class ChatEngine(ModelProviders providers, ChatAdmission admission, TokenCounter tokens, ILogger<ChatEngine> log)
{
    private static readonly TimeSpan RecordDeadline = TimeSpan.FromSeconds(15);

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
        if (sink.Streams)
        {
            // The client may be gone: what was produced is recorded all the same.
            using var deadline = new CancellationTokenSource(RecordDeadline);
            recorded = await recorder.RecordAsync(call, answer, deadline.Token);
        }
        else
        {
            recorded = await recorder.RecordAsync(call, answer, ct);
        }

        await ticket.SettleAsync(answer.TotalTokens);
        return new ChatRun<TRecord>(answer, recorded, run.Outcome, failure);
    }
}
