using System.Collections.Concurrent;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Hosting.ScaleOut;

/// <summary>
/// A tenant under load: its canary marker (every title and message it writes starts with it, and no other
/// tenant's does), its member's token, and the writes the API acknowledged.
/// </summary>
public sealed class LoadTenant(Tenant tenant, string token)
{
    public Tenant Tenant { get; } = tenant;

    public string Marker { get; } = $"[{tenant.Slug}] ";

    public string Token { get; } = token;

    /// <summary>Conversations created with a 201, by id, with the title sent.</summary>
    public ConcurrentDictionary<Guid, string> Conversations { get; } = new();

    /// <summary>Messages posted with a 201: the conversation and the content sent.</summary>
    public ConcurrentBag<(Guid Conversation, string Content)> Messages { get; } = [];

    public Guid? AnyConversation()
    {
        var ids = Conversations.Keys;
        return ids.Count == 0 ? null : ids.ElementAt(Random.Shared.Next(ids.Count));
    }
}
