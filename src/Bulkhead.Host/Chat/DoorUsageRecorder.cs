using Bulkhead.Chat;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat.Engine;

namespace Bulkhead.Host.Chat;

/// <summary>Records a call through the OpenAI-compatible door: usage per tenant, key and model; the door stores no conversation.</summary>
public sealed record DoorUsageRecorder(TenantCaller Caller) : IChatRecorder<ModelAnswer>
{
    public async Task<ModelAnswer> RecordAsync(ModelCall call, ModelAnswer answer, CancellationToken ct)
    {
        await using var session = await Caller.OpenSessionAsync(ct);
        await new ChatStore(session).RecordUsageAsync(Caller.Sub, call.Model, answer.PromptTokens, answer.CompletionTokens, answer.Complete, ct);
        return answer;
    }
}
