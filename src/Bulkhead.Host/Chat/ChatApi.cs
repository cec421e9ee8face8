using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Limits;

namespace Bulkhead.Host.Chat;

/// <summary>
/// <c>POST /api/chat</c>, the seed's endpoint, and the chat turn behind <c>POST /api/conversations/{id}/messages</c>.
/// Both answer JSON, or server-sent events when the request accepts <c>text/event-stream</c>.
/// </summary>
public static class ChatApi
{
    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/chat", ChatAsync).RequireAuthorization(Policies.Tenant).WithTags("Chat")
            .WithMetadata(new EndpointResource("chat"), new UserChatLimitAttribute());
        return app;
    }

    public static bool WantsStream(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    /// <summary>Answers one message of an existing conversation; the caller has checked the content.</summary>
    public static Task<Results<Created<ChatTurnResponse>, ChatStreamResult<TurnResult>, ProblemHttpResult, ValidationProblem>> PostMessageAsync(
        Guid conversationId, string content, TenantCaller caller, ChatService chat, HttpRequest request, CancellationToken ct) =>
        TurnAsync(conversationId, content, caller, chat, request,
            result => TypedResults.Created($"/api/conversations/{conversationId}/messages/{result.Stored!.AssistantMessageId}", result.ToResponse()), ct);

    private static async Task<Results<Ok<ChatAnswerResponse>, ChatStreamResult<TurnResult>, ProblemHttpResult, ValidationProblem>> ChatAsync(
        ChatRequest body, TenantCaller caller, ChatService chat, HttpRequest request, CancellationToken ct)
    {
        if (TextInput.Problem(body.Query, ConversationsApi.MaxContent, required: true) is { } invalid)
        {
            return Problems.Invalid("query", invalid);
        }

        return await TurnAsync(body.ConversationId, body.Query!, caller, chat, request, result => TypedResults.Ok(result.ToAnswer()), ct);
    }

    private static async Task<Results<TAnswer, ChatStreamResult<TurnResult>, ProblemHttpResult, ValidationProblem>> TurnAsync<TAnswer>(
        Guid? conversationId, string content, TenantCaller caller, ChatService chat, HttpRequest request, Func<TurnResult, TAnswer> answer, CancellationToken ct)
        where TAnswer : IResult
    {
        var turn = await chat.PrepareAsync(caller, conversationId, content, ct);
        if (turn is null)
        {
            return Problems.NotFound("conversation");
        }

        if (WantsStream(request))
        {
            return chat.Stream(turn);
        }

        try
        {
            var run = await chat.CompleteAsync(turn, ct);
            if (run.Recorded.Stored is null)
            {
                return Problems.NotFound("conversation");
            }

            return answer(run.Recorded);
        }
        catch (ModelCallException e)
        {
            return UpstreamProblem.For(e.Failure);
        }
    }
}
