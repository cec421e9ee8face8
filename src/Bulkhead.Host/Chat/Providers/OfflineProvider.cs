using Bulkhead.Host.Chat.Engine;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat.Providers;

/// <summary>The built-in <c>offline</c> model, always served.</summary>
public sealed class OfflineProvider(OfflineChatClient offline) : IModelProvider
{
    public IReadOnlyList<string> Models { get; } = [OfflineChatClient.ModelName];

    public IChatClient Create(string model, Func<string?> tenantKey) => offline;

    public ModelFailure Classify(Exception failure) => ModelFailure.Of(failure);
}
