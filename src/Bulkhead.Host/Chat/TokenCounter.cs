using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Counts tokens with a real tokenizer (o200k_base, the vocabulary of the GPT-4o family, shipped in a
/// package so nothing is downloaded): the offline model's usage, and the fallback when a provider reports none.
/// </summary>
public sealed class TokenCounter
{
    private readonly Tokenizer _tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.CountTokens(text);

    public int Count(IEnumerable<ChatMessage> messages) => messages.Sum(m => Count(m.Text));

    /// <summary>The longest prefix of <paramref name="text"/> that fits in <paramref name="maxTokens"/>.</summary>
    public string Truncate(string text, int maxTokens)
    {
        var index = _tokenizer.GetIndexByTokenCount(text, maxTokens, out _, out _);
        return text[..index];
    }
}
