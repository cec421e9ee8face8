using Bulkhead.Host.Chat.Engine;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat;

/// <summary>What every object of one chat completion repeats: its id, creation time and model.</summary>
public sealed record CompletionHeader(string Id, long Created, string Model)
{
    public static CompletionHeader New(string model, TimeProvider time) =>
        new("chatcmpl-" + Guid.CreateVersion7().ToString("N"), time.GetUtcNow().ToUnixTimeSeconds(), model);

    public static string FinishReason(ChatFinishReason? reason) => reason == ChatFinishReason.Length ? "length" : "stop";

    public CompletionResponse Response(ModelAnswer answer) => new(
        Id, "chat.completion", Created, Model,
        [new CompletionChoice(0, new CompletionMessage("assistant", answer.Text), FinishReason(answer.FinishReason))],
        CompletionUsage.Of(answer));
}
