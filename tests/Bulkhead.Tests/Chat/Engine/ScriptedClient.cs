using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Bulkhead.Tests.Chat.Engine;

/// <summary>A model client that answers a fixed script, optionally reporting usage first and failing after its words.</summary>
public sealed class ScriptedClient(string[] words, (int Input, int Output)? usage = null, bool failAfter = false, bool failAtOnce = false) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (failAtOnce || failAfter)
        {
            throw new HttpRequestException("the script failed");
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Concat(words)))
        {
            FinishReason = ChatFinishReason.Stop,
            Usage = usage is { } u ? new UsageDetails { InputTokenCount = u.Input, OutputTokenCount = u.Output } : null,
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (failAtOnce)
        {
            throw new HttpRequestException("the script failed");
        }

        if (usage is { } u)
        {
            yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = u.Input, OutputTokenCount = u.Output })] };
        }

        foreach (var word in words)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word);
        }

        if (failAfter)
        {
            throw new HttpRequestException("the script failed");
        }

        yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
