using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;

namespace Bulkhead.Host.Chat;

/// <summary>
/// <c>POST /api/chat</c>, the seed's endpoint, and the chat turn behind <c>POST /api/conversations/{id}/messages</c>.
/// Both answer JSON, or server-sent events when the request accepts <c>text/event-stream</c>.
/// </summary>
public static class ChatApi
{
    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/chat", ChatAsync).RequireAuthorization(Policies.Tenant).WithTags("Chat");
        return app;
    }

    public static bool WantsStream(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    /// <summary>Answers one message of an existing conversation; the caller has checked the content.</summary>
    public static async Task<Results<Created<ChatTurnResponse>, ChatStreamResult, ProblemHttpResult, ValidationProblem>> PostMessageAsync(
        Guid conversationId, string content, TenantCaller caller, ChatService chat, HttpRequest request, CancellationToken ct)
    {
        var turn = await chat.PrepareAsync(caller, conversationId, content, ct);
        if (turn is null)
        {
            return Problems.NotFound("conversation");
        }

        if (WantsStream(request))
        {
            return new ChatStreamResult(chat, turn);
        }

        var (result, problem) = await chat.CompleteAsync(turn, ct);
        if (problem is not null)
        {
            return problem;
        }

        return result!.Stored is null
            ? Problems.NotFound("conversation")
            : TypedResults.Created($"/api/conversations/{conversationId}/messages/{result.Stored.AssistantMessageId}", result.ToResponse());
    }

    private static async Task<Results<Ok<ChatAnswerResponse>, ChatStreamResult, ProblemHttpResult, ValidationProblem>> ChatAsync(
        ChatRequest body, TenantCaller caller, ChatService chat, HttpRequest request, CancellationToken ct)
    {
        if (TextInput.Problem(body.Query, ConversationsApi.MaxContent, required: true) is { } invalid)
        {
            return Problems.Invalid("query", invalid);
        }

        var turn = await chat.PrepareAsync(caller, body.ConversationId, body.Query!, ct);
        if (turn is null)
        {
            return Problems.NotFound("conversation");
        }

        if (WantsStream(request))
        {
            return new ChatStreamResult(chat, turn);
        }

        var (result, problem) = await chat.CompleteAsync(turn, ct);
        if (problem is not null)
        {
            return problem;
        }

        return result!.Stored is null ? Problems.NotFound("conversation") : TypedResults.Ok(result.ToAnswer());
    }
}
