using Bulkhead.Conversations;
using Bulkhead.Crypto;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat;
using Bulkhead.Host.Limits;
using Microsoft.AspNetCore.Mvc;

namespace Bulkhead.Host.Api;

/// <summary>Conversations and their messages. A member sees their own; an admin sees the tenant's.</summary>
public static class ConversationsApi
{
    public const int MaxTitle = 200;
    public const int MaxContent = 32_000;

    public static RouteGroupBuilder MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/conversations").RequireAuthorization(Policies.Tenant).WithTags("Conversations")
            .WithMetadata(new EndpointResource("conversations", EndpointResource.Conversation))
            .AddEndpointFilter<StalePlacementRetry>();
        api.MapGet("", ListAsync);
        api.MapPost("", CreateAsync);
        api.MapGet("/{id}", GetAsync);
        api.MapPatch("/{id}", RenameAsync);
        api.MapDelete("/{id}", DeleteAsync);
        var messages = new EndpointResource("messages", EndpointResource.Conversation);
        api.MapGet("/{id}/messages", ListMessagesAsync).WithMetadata(messages);
        api.MapPost("/{id}/messages", AddMessageAsync).WithMetadata(messages, new UserChatLimitAttribute());
        return api;
    }

    private static async Task<Results<Ok<ListResponse<ConversationResponse>>, ProblemHttpResult>> ListAsync(
        TenantCaller caller, CursorCodec cursors, CancellationToken ct, int? limit = null, string? cursor = null, [FromQuery(Name = "user_id")] string? userId = null,
        string? q = null)
    {
        if (q is not null && (q.Length > MaxTitle || !ContentCipher.Words(q).Any()))
        {
            return Problems.BadRequest($"q must hold at least one word (letters or digits) and at most {MaxTitle} characters; titles match when they contain every word.");
        }

        Guid? userFilter = null;
        if (userId is not null)
        {
            if (!caller.IsAdmin)
            {
                return Problems.Forbidden("Only tenant admins may filter by user_id; members always list their own conversations.");
            }

            if (!Guid.TryParse(userId, out var parsed))
            {
                return Problems.BadRequest("user_id must be a user id (a UUID).");
            }

            userFilter = parsed;
        }

        // The search is part of the binding: a cursor of one search does not page another.
        var binding = $"{caller.Tenant.Id}|{caller.Sub}|conversations|{userFilter}|{q}";
        if (Paging.Read(limit, cursor, binding, cursors, out var pageSize, out var after) is { } problem)
        {
            return problem;
        }

        await using var session = await caller.OpenSessionAsync(ct);
        var page = await new ConversationStore(session, caller.Keys).ListAsync(caller.Viewer, userFilter, after, pageSize, ct, q);
        return TypedResults.Ok(new ListResponse<ConversationResponse>(
            page.Items.Select(ConversationResponse.From).ToList(),
            page.After is { } next ? cursors.Encode(next, binding) : null));
    }

    private static async Task<Results<Created<ConversationResponse>, ValidationProblem>> CreateAsync(
        CreateConversationRequest body, TenantCaller caller, CancellationToken ct)
    {
        if (TextInput.Problem(body.Title, MaxTitle, required: false) is { } problem)
        {
            return Problems.Invalid("title", problem);
        }

        await using var session = await caller.OpenSessionAsync(ct);
        var conversation = await new ConversationStore(session, caller.Keys).CreateAsync(caller.Viewer, body.Title ?? "New conversation", ct);
        return TypedResults.Created($"/api/conversations/{conversation.Id}", ConversationResponse.From(conversation));
    }

    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> GetAsync(
        string id, TenantCaller caller, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("conversation");
        }

        await using var session = await caller.OpenSessionAsync(ct);
        var conversation = await new ConversationStore(session, caller.Keys).GetAsync(caller.Viewer, key, ct);
        return conversation is null ? Problems.NotFound("conversation") : TypedResults.Ok(ConversationResponse.From(conversation));
    }

    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult, ValidationProblem>> RenameAsync(
        string id, RenameConversationRequest body, TenantCaller caller, CancellationToken ct)
    {
        if (TextInput.Problem(body.Title, MaxTitle, required: true) is { } problem)
        {
            return Problems.Invalid("title", problem);
        }

        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("conversation");
        }

        await using var session = await caller.OpenSessionAsync(ct);
        var conversation = await new ConversationStore(session, caller.Keys).RenameAsync(caller.Viewer, key, body.Title!, ct);
        return conversation is null ? Problems.NotFound("conversation") : TypedResults.Ok(ConversationResponse.From(conversation));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, TenantCaller caller, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("conversation");
        }

        await using var session = await caller.OpenSessionAsync(ct);
        return await new ConversationStore(session, caller.Keys).DeleteAsync(caller.Viewer, key, ct)
            ? TypedResults.NoContent()
            : Problems.NotFound("conversation");
    }

    private static async Task<Results<Ok<ListResponse<MessageResponse>>, ProblemHttpResult>> ListMessagesAsync(
        string id, TenantCaller caller, CursorCodec cursors, CancellationToken ct, int? limit = null, string? cursor = null)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("conversation");
        }

        var binding = $"{caller.Tenant.Id}|{caller.Sub}|messages|{key}";
        if (Paging.Read(limit, cursor, binding, cursors, out var pageSize, out var after) is { } problem)
        {
            return problem;
        }

        await using var session = await caller.OpenSessionAsync(ct);
        var page = await new ConversationStore(session, caller.Keys).ListMessagesAsync(caller.Viewer, key, after, pageSize, ct);
        if (page is null)
        {
            return Problems.NotFound("conversation");
        }

        return TypedResults.Ok(new ListResponse<MessageResponse>(
            page.Items.Select(MessageResponse.From).ToList(),
            page.After is { } next ? cursors.Encode(next, binding) : null));
    }

    /// <summary>Stores the user's message and the model's reply (see <see cref="ChatApi"/>); JSON, or SSE on Accept: text/event-stream.</summary>
    private static async Task<Results<Created<ChatTurnResponse>, ChatStreamResult<TurnResult>, ProblemHttpResult, ValidationProblem>> AddMessageAsync(
        string id, CreateMessageRequest body, TenantCaller caller, ChatService chat, HttpRequest request, CancellationToken ct)
    {
        if (TextInput.Problem(body.Content, MaxContent, required: true) is { } problem)
        {
            return Problems.Invalid("content", problem);
        }

        if (!Guid.TryParse(id, out var key))
        {
            return Problems.NotFound("conversation");
        }

        return await ChatApi.PostMessageAsync(key, body.Content!, caller, chat, request, ct);
    }
}
