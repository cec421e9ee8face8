namespace Bulkhead.Limits;

/// <summary>The tenant's LLM calls stayed at its cap for the whole queue timeout. The API answers 429.</summary>
public sealed class LlmConcurrencyExceededException(int cap, TimeSpan waited)
    : Exception($"All {cap} of the tenant's concurrent LLM calls stayed busy for {waited.TotalSeconds:0.#} s.")
{
    public int Cap { get; } = cap;
}
