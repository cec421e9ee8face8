using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat.Providers;

/// <summary>
/// The built-in model: deterministic, no network. Its reply names the model, temperature and max_tokens it
/// ran with and quotes the start of the system prompt, so a tenant's configuration is visible in every
/// answer; it streams word by word and counts tokens with a real tokenizer.
/// </summary>
public sealed class OfflineChatClient(TokenCounter tokens) : IChatClient
{
    public const string ModelName = "offline";
    private const int QuotedPrompt = 60;
    private const int QuotedMessage = 200;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (text, finish, usage) = Answer(messages.ToList(), options);
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = ModelName,
            FinishReason = finish,
            Usage = usage,
            ResponseId = "offline-" + Guid.CreateVersion7().ToString("N"),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (text, finish, usage) = Answer(messages.ToList(), options);
        var id = "offline-" + Guid.CreateVersion7().ToString("N");
        var start = 0;
        while (start < text.Length)
        {
            // A word and the spaces after it, so that the deltas concatenate back to the reply.
            var end = text.IndexOf(' ', start);
            end = end < 0 ? text.Length : end;
            while (end < text.Length && text[end] == ' ')
            {
                end++;
            }

            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, text[start..end]) { ModelId = ModelName, ResponseId = id };
            start = end;
        }

        yield return new ChatResponseUpdate { Role = ChatRole.Assistant, FinishReason = finish, ModelId = ModelName, ResponseId = id, Contents = [new UsageContent(usage)] };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private (string Text, ChatFinishReason Finish, UsageDetails Usage) Answer(List<ChatMessage> messages, ChatOptions? options)
    {
        var temperature = (options?.Temperature ?? 1f).ToString("0.##", CultureInfo.InvariantCulture);
        var maxTokens = options?.MaxOutputTokens ?? int.MaxValue;
        var system = string.Join(" ", messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        var user = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var earlier = messages.Count(m => m.Role != ChatRole.System) - 1;
        var full = $"[{ModelName} model, temperature {temperature}, max_tokens {(maxTokens == int.MaxValue ? "none" : maxTokens)}] " +
                   $"System prompt: \"{Quote(system, QuotedPrompt)}\". " +
                   $"You said: \"{Quote(user, QuotedMessage)}\" " +
                   $"({Math.Max(0, earlier)} earlier messages in this conversation).";
        var text = tokens.Truncate(full, maxTokens);
        var usage = new UsageDetails { InputTokenCount = tokens.Count(messages), OutputTokenCount = tokens.Count(text) };
        usage.TotalTokenCount = usage.InputTokenCount + usage.OutputTokenCount;
        return (text, text.Length < full.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, usage);
    }

    private static string Quote(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        // Never cut a surrogate pair in half.
        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut] + "…";
    }
}
