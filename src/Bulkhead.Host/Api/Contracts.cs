using System.Text.Json.Serialization;
using Bulkhead.Conversations;

namespace Bulkhead.Host.Api;

// Request bodies refuse unknown fields: a body that tries to name a tenant or user gets a 400, not silence.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateConversationRequest(string? Title);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RenameConversationRequest(string? Title);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateMessageRequest(string? Content);

public sealed record ConversationResponse(Guid Id, Guid UserId, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ConversationResponse From(Conversation c) => new(c.Id, c.UserId, c.Title, c.CreatedAt, c.UpdatedAt);
}

public sealed record MessageResponse(Guid Id, Guid ConversationId, string Role, string Content, DateTimeOffset CreatedAt)
{
    public static MessageResponse From(Message m) => new(m.Id, m.ConversationId, m.Role, m.Content, m.CreatedAt);
}

public sealed record ListResponse<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record MeResponse(Guid TenantId, string TenantSlug, Guid UserId, string Sub, string Role, string Plan);
