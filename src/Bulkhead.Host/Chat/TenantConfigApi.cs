using System.Text.Json;
using Bulkhead.Chat;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Chat;

/// <summary>
/// <c>GET|PUT /api/tenant/config</c>: the tenant's chat configuration, for tenant admins. A PUT names the
/// fields it changes (null resets one to the plan's default); every bad field is reported at once and
/// nothing is written unless all are good;
/// a refused change is recorded all the same (<c>config.change</c>, <c>rejected</c>).
/// </summary>
public static class TenantConfigApi
{
    public static IEndpointRouteBuilder MapTenantConfigApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tenant/config").RequireAuthorization(Policies.TenantAdmin).WithTags("Tenant configuration")
            .WithMetadata(new EndpointResource("config"))
            .AddEndpointFilter<StalePlacementRetry>();
        api.MapGet("", GetAsync);
        api.MapPut("", PutAsync);
        return api;
    }

    private static async Task<Ok<TenantConfigResponse>> GetAsync(TenantCaller caller, ModelProviders models, PlanCatalog plans, CancellationToken ct)
    {
        var plan = (await plans.GetAsync(caller.Tenant.Plan, ct)).Chat;
        await using var session = await caller.OpenSessionAsync(ct);
        var config = await new TenantConfigStore(session, caller.Keys).ReadAsync(plan, ct);
        return TypedResults.Ok(TenantConfigResponse.From(config, models.Defaults));
    }

    private static async Task<Results<Ok<TenantConfigResponse>, ValidationProblem>> PutAsync(
        JsonElement body, TenantCaller caller, ModelProviders models, PlanCatalog plans, ProviderKeySealer sealer, CancellationToken ct)
    {
        var plan = (await plans.GetAsync(caller.Tenant.Plan, ct)).Chat;
        await using var session = await caller.OpenSessionAsync(ct);
        var store = new TenantConfigStore(session, caller.Keys);
        var current = await store.BeginChangeAsync(plan, ct);
        var change = TenantConfigChange.Apply(body, current, models, sealer, caller.Tenant.Id);
        if (change.Errors.Count > 0)
        {
            await store.RejectAsync(change.Errors.Count, ct);
            var errors = change.Errors.ToDictionary(e => e.Key, e => new[] { e.Value });
            return TypedResults.ValidationProblem(errors, detail: string.Join(" ", change.Errors.Values));
        }

        await store.SaveAsync(change.Overrides, caller.Sub, ct);
        return TypedResults.Ok(TenantConfigResponse.From(current with { Overrides = change.Overrides }, models.Defaults));
    }
}

/// <summary>What the configuration is in effect, and which fields the tenant set itself (the rest come from the plan).</summary>
public sealed record TenantConfigResponse(
    string Model,
    float Temperature,
    int MaxTokens,
    string SystemPrompt,
    int? RetentionDays,
    IReadOnlyList<string> AllowedModels,
    bool HasProviderKey,
    string Plan,
    int PlanMaxTokens,
    IReadOnlyList<string> Overridden)
{
    public static TenantConfigResponse From(TenantChatConfig config, ServerChatDefaults server)
    {
        var effective = config.Resolve(server);
        var o = config.Overrides;
        var overridden = new List<string>();
        void Note(string name, object? value)
        {
            if (value is not null)
            {
                overridden.Add(name);
            }
        }

        Note("model", o.Model);
        Note("temperature", o.Temperature);
        Note("max_tokens", o.MaxTokens);
        Note("system_prompt", o.SystemPrompt);
        Note("retention_days", o.RetentionDays);
        Note("allowed_models", o.AllowedModels);
        Note("provider_api_key", o.ProviderKeySealed);
        return new TenantConfigResponse(
            effective.Model, MathF.Round(effective.Temperature, 2), effective.MaxTokens, effective.SystemPrompt, effective.RetentionDays,
            effective.AllowedModels, o.ProviderKeySealed is not null, config.Plan.Plan, config.Plan.PlanMaxTokens, overridden);
    }
}
