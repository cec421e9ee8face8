using Bulkhead.Chat;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Records a call through the OpenAI-compatible door: usage per tenant, key and model; the door stores no
/// conversation. Like a conversation turn, the usage follows the tenant when it moved during the call.
/// </summary>
public sealed record DoorUsageRecorder(TenantCaller Caller, TenantDirectory Directory) : IChatRecorder<ModelAnswer>
{
    public async Task<ModelAnswer> RecordAsync(ModelCall call, ModelAnswer answer, CancellationToken ct)
    {
        await StalePlacement.WriteAsync(Caller, Directory, async (caller, token) =>
        {
            await using var session = await caller.OpenSessionAsync(token);
            await new ChatStore(session, caller.Keys).RecordUsageAsync(caller.Sub, call.Model, answer.PromptTokens, answer.CompletionTokens, answer.Complete, token);
            return true;
        }, ct);
        return answer;
    }
}
