using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat.Engine;

/// <summary>What a model call produced and what it counts as: <see cref="Complete"/> is false when it was cut.</summary>
public sealed record ModelAnswer(string Text, int PromptTokens, int CompletionTokens, bool Complete, ChatFinishReason? FinishReason)
{
    public int TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>
    /// The provider's own counts when the call completed and it reported them; otherwise counted here, so a
    /// cut stream or a provider that reports nothing is still charged for what it produced.
    /// </summary>
    public static ModelAnswer Of(ModelRun run, IEnumerable<ChatMessage> prompt, TokenCounter tokens)
    {
        var text = run.Text.ToString();
        var complete = run.Outcome == RunOutcome.Completed;
        var input = complete && run.Usage?.InputTokenCount is { } reportedInput ? (int)reportedInput : tokens.Count(prompt);
        var output = complete && run.Usage?.OutputTokenCount is { } reportedOutput ? (int)reportedOutput : tokens.Count(text);
        return new ModelAnswer(text, input, output, complete, run.FinishReason);
    }
}
