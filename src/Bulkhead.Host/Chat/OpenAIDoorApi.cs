using System.Text.Json;
using Bulkhead.Chat;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Host.Limits;
using Bulkhead.Tenancy;

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
        api.MapGet("/models", ModelsAsync).WithMetadata(new EndpointResource("models"));
        api.MapPost("/chat/completions", CompletionsAsync).WithMetadata(new EndpointResource("completions"), new UserChatLimitAttribute());
        return api;
    }

    private static async Task<Ok<ModelList>> ModelsAsync(TenantCaller caller, ModelProviders models, PlanCatalog plans, CancellationToken ct)
    {
        var settings = await SettingsAsync(caller, models, plans, ct);
        return TypedResults.Ok(new ModelList("list", settings.AllowedModels.Select(m => new ModelEntry(m, "model", 0, "bulkhead")).ToList()));
    }

    private static async Task<Results<Ok<CompletionResponse>, ChatStreamResult<ModelAnswer>, ProblemHttpResult, ValidationProblem>> CompletionsAsync(
        JsonElement body, TenantCaller caller, ChatEngine engine, ModelProviders models, PlanCatalog plans, TenantDirectory directory, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var request = DoorRequestReader.Read(body, errors);
        if (request is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => new[] { e.Value }), detail: string.Join(" ", errors.Values));
        }

        var settings = await SettingsAsync(caller, models, plans, ct);
        var model = request.Model ?? settings.Model;
        if (!settings.AllowedModels.Contains(model, StringComparer.Ordinal))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["model"] = [$"model must be one of this tenant's models: {string.Join(", ", settings.AllowedModels)}."] },
                detail: $"model must be one of this tenant's models: {string.Join(", ", settings.AllowedModels)}.");
        }

        var call = ModelCall.Create(caller.Tenant.Scope, caller.Sub, settings with { Model = model }, request.Messages, request.Temperature, request.MaxTokens);
        var header = CompletionHeader.New(model, time);
        var recorder = new DoorUsageRecorder(caller, directory);
        if (request.Stream)
        {
            return new ChatStreamResult<ModelAnswer>(engine, call, recorder, sse => new CompletionChunkSink(sse, header, request.IncludeUsage));
        }

        try
        {
            var run = await engine.RunAsync(call, WholeAnswer.Sink, recorder, ct);
            return TypedResults.Ok(header.Response(run.Answer));
        }
        catch (ModelCallException e)
        {
            return UpstreamProblem.For(e.Failure);
        }
    }

    private static async Task<ChatSettings> SettingsAsync(TenantCaller caller, ModelProviders models, PlanCatalog plans, CancellationToken ct)
    {
        var plan = (await plans.GetAsync(caller.Tenant.Plan, ct)).Chat;
        await using var session = await caller.OpenSessionAsync(ct);
        return (await new TenantConfigStore(session, caller.Keys).ReadAsync(plan, ct)).Resolve(models.Defaults);
    }
}
