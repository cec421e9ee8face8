using System.Text.Json;
using Bulkhead.Chat;
using Bulkhead.Host.Auth;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat;

/// <summary>
/// The OpenAI-compatible door: <c>POST /v1/chat/completions</c> (streaming too) and <c>GET /v1/models</c>,
/// for tenant API keys. The tenant's configuration applies as in the REST API: its system prompt goes
/// first, the model must be one it allows, max_tokens is capped at its own; the limits apply the same.
/// </summary>
public static class OpenAIDoorApi
{
    public static IEndpointRouteBuilder MapOpenAIDoorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").RequireAuthorization(ApiKeyAuthentication.Policy).WithTags("OpenAI-compatible");
        api.MapGet("/models", ModelsAsync);
        api.MapPost("/chat/completions", CompletionsAsync);
        return api;
    }

    private static async Task<Ok<ModelList>> ModelsAsync(TenantCaller caller, ChatModels models, ChatPlanCatalog plans, CancellationToken ct)
    {
        var settings = await SettingsAsync(caller, models, plans, ct);
        return TypedResults.Ok(new ModelList("list", settings.AllowedModels.Select(m => new ModelEntry(m, "model", 0, "bulkhead")).ToList()));
    }

    private static async Task<Results<Ok<CompletionResponse>, DoorStreamResult, ProblemHttpResult, ValidationProblem>> CompletionsAsync(
        JsonElement body, TenantCaller caller, ChatService chat, ChatPlanCatalog plans, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var request = DoorRequestReader.Read(body, errors);
        if (request is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => new[] { e.Value }), detail: string.Join(" ", errors.Values));
        }

        var settings = await SettingsAsync(caller, chat.Models, plans, ct);
        var model = request.Model ?? settings.Model;
        if (!settings.AllowedModels.Contains(model, StringComparer.Ordinal))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["model"] = [$"model must be one of this tenant's models: {string.Join(", ", settings.AllowedModels)}."] },
                detail: $"model must be one of this tenant's models: {string.Join(", ", settings.AllowedModels)}.");
        }

        var call = new DoorCall(
            caller,
            settings with { Model = model },
            [new ChatMessage(ChatRole.System, settings.SystemPrompt), .. request.Messages],
            new Microsoft.Extensions.AI.ChatOptions
            {
                ModelId = model,
                Temperature = request.Temperature ?? settings.Temperature,
                MaxOutputTokens = Math.Min(request.MaxTokens ?? settings.MaxTokens, settings.MaxTokens),
            },
            "chatcmpl-" + Guid.CreateVersion7().ToString("N"),
            time.GetUtcNow().ToUnixTimeSeconds());
        if (request.Stream)
        {
            return new DoorStreamResult(chat, call, request.IncludeUsage);
        }

        IChatClient client;
        try
        {
            client = chat.Models.Create(caller.Tenant.Id, call.Settings, model);
        }
        catch (ModelUnavailableException e)
        {
            return UpstreamProblem.Unavailable(e);
        }

        using (client)
        {
            await using var ticket = await chat.Admission.AdmitAsync(caller.Tenant.Scope, caller.Sub, model, chat.Tokens.Count(call.Messages) + call.Options.MaxOutputTokens!.Value, ct);
            ChatResponse response;
            try
            {
                response = await client.GetResponseAsync(call.Messages, call.Options, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logs.CreateLogger(typeof(OpenAIDoorApi)).LogWarning(e, "Model call failed for tenant {TenantId} with model {Model}", caller.Tenant.Id, model);
                return UpstreamProblem.For(e);
            }

            var text = response.Text;
            var prompt = (int)(response.Usage?.InputTokenCount ?? chat.Tokens.Count(call.Messages));
            var completion = (int)(response.Usage?.OutputTokenCount ?? chat.Tokens.Count(text));
            await call.RecordAsync(prompt, completion, complete: true, ct);
            await ticket.SettleAsync(prompt + completion);
            return TypedResults.Ok(new CompletionResponse(
                call.Id, "chat.completion", call.Created, model,
                [new CompletionChoice(0, new CompletionMessage("assistant", text), FinishReason(response.FinishReason))],
                new CompletionUsage(prompt, completion, prompt + completion)));
        }
    }

    public static string FinishReason(ChatFinishReason? reason) => reason == ChatFinishReason.Length ? "length" : "stop";

    private static async Task<ChatSettings> SettingsAsync(TenantCaller caller, ChatModels models, ChatPlanCatalog plans, CancellationToken ct)
    {
        var plan = await plans.FindAsync(caller.Tenant.Plan, ct);
        await using var session = await caller.OpenSessionAsync(ct);
        return (await new TenantConfigStore(session).ReadAsync(plan, ct)).Resolve(models.Defaults);
    }
}

/// <summary>One call through the door, with the tenant's configuration applied.</summary>
public sealed record DoorCall(TenantCaller Caller, ChatSettings Settings, IList<ChatMessage> Messages, Microsoft.Extensions.AI.ChatOptions Options, string Id, long Created)
{
    /// <summary>Usage per tenant, key and model; the door stores no conversation.</summary>
    public async Task RecordAsync(int prompt, int completion, bool complete, CancellationToken ct)
    {
        await using var session = await Caller.OpenSessionAsync(ct);
        await new ChatStore(session).RecordUsageAsync(Caller.Sub, Settings.Model, prompt, completion, complete, ct);
    }
}
