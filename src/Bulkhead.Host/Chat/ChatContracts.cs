using System.Text.Json.Serialization;
using Bulkhead.Host.Api;

namespace Bulkhead.Host.Chat;

// Request bodies refuse unknown fields: a body that tries to name a tenant or user gets a 400, not silence.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChatRequest(string? Query, Guid? ConversationId);

public sealed record TurnUsage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    public static TurnUsage Of(int prompt, int completion) => new(prompt, completion, prompt + completion);
}

/// <summary>The assistant's stored message; <c>status</c> is <c>incomplete</c> when the stream was cut.</summary>
public sealed record ReplyResponse(Guid Id, Guid ConversationId, string Role, string Content, string Status, string Model, DateTimeOffset CreatedAt);

/// <summary>The answer of <c>POST /api/conversations/{id}/messages</c>: both stored messages and the usage.</summary>
public sealed record ChatTurnResponse(Guid ConversationId, MessageResponse Message, ReplyResponse Reply, TurnUsage Usage);

/// <summary>The seed's answer shape, for <c>POST /api/chat</c>.</summary>
public sealed record ChatAnswerResponse(string Answer, Guid ConversationId, Guid MessageId, string Model, TurnUsage Usage);

/// <summary>The last server-sent event of a stream.</summary>
public sealed record StreamEndEvent(Guid ConversationId, Guid? MessageId, Guid? UserMessageId, string Model, string Status, TurnUsage Usage);

public sealed record DeltaEvent(string Content);
