using System.Text.Json;
using Bulkhead.Chat;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Host.Api;

namespace Bulkhead.Host.Chat;

/// <summary>Applies a PUT body to the stored overrides and checks every field, collecting each problem.</summary>
public sealed class TenantConfigChange
{
    public const int MaxSystemPrompt = 8_000;
    public const int MaxRetentionDays = 3_650;
    public const int MaxAllowedModels = 50;
    public const int MaxProviderKey = 500;

    private TenantConfigChange(ChatOverrides overrides) => Overrides = overrides;

    public ChatOverrides Overrides { get; private set; }

    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public static TenantConfigChange Apply(JsonElement body, TenantChatConfig current, ModelProviders models, ProviderKeySealer sealer, Guid tenantId)
    {
        var change = new TenantConfigChange(current.Overrides);
        if (body.ValueKind != JsonValueKind.Object)
        {
            change.Errors["body"] = "The body must be a JSON object of the fields to change.";
            return change;
        }

        var planMax = current.Plan.PlanMaxTokens;
        foreach (var field in body.EnumerateObject())
        {
            var value = field.Value;
            var reset = value.ValueKind == JsonValueKind.Null;
            var o = change.Overrides;
            switch (field.Name)
            {
                case "model":
                    if (reset || change.String(field.Name, value, 200, out _) is { } model && Check(change, field.Name, models.Serves(model), $"must be one of the models this server serves: {string.Join(", ", models.Served)}"))
                    {
                        change.Overrides = o with { Model = reset ? null : value.GetString() };
                    }

                    break;
                case "temperature":
                    if (reset || (Check(change, field.Name, value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var t) && t is >= 0 and <= 2, "must be a number from 0 to 2")))
                    {
                        change.Overrides = o with { Temperature = reset ? null : (float)value.GetDouble() };
                    }

                    break;
                case "max_tokens":
                    if (reset || Check(change, field.Name, value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var m) && m >= 1 && m <= planMax, $"must be a whole number from 1 to {planMax} (the plan's maximum)"))
                    {
                        change.Overrides = o with { MaxTokens = reset ? null : value.GetInt32() };
                    }

                    break;
                case "system_prompt":
                    if (reset || change.String(field.Name, value, MaxSystemPrompt, out _) is not null)
                    {
                        change.Overrides = o with { SystemPrompt = reset ? null : value.GetString() };
                    }

                    break;
                case "retention_days":
                    if (reset || Check(change, field.Name, value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var d) && d >= 1 && d <= MaxRetentionDays, $"must be a whole number of days from 1 to {MaxRetentionDays}"))
                    {
                        change.Overrides = o with { RetentionDays = reset ? null : value.GetInt32() };
                    }

                    break;
                case "allowed_models":
                    if (reset)
                    {
                        change.Overrides = o with { AllowedModels = null };
                    }
                    else if (change.Models(field.Name, value, models) is { } allowed)
                    {
                        change.Overrides = o with { AllowedModels = allowed };
                    }

                    break;
                case "provider_api_key":
                    if (reset)
                    {
                        change.Overrides = o with { ProviderKeySealed = null };
                    }
                    else if (change.String(field.Name, value, MaxProviderKey, out _) is { } key
                             && Check(change, field.Name, key.Length > 0 && !key.Any(char.IsWhiteSpace), "must be a non-empty key without spaces"))
                    {
                        change.Overrides = o with { ProviderKeySealed = sealer.Seal(tenantId, key) };
                    }

                    break;
                default:
                    change.Errors[field.Name] = $"{field.Name} is not a configuration field (model, temperature, max_tokens, system_prompt, retention_days, allowed_models, provider_api_key).";
                    break;
            }
        }

        if (change.Errors.Count == 0)
        {
            var effective = (current with { Overrides = change.Overrides }).Resolve(models.Defaults);
            if (!effective.AllowedModels.Contains(effective.Model, StringComparer.Ordinal))
            {
                var field = change.Overrides.Model is not null ? "model" : "allowed_models";
                change.Errors[field] = $"{field}: the model '{effective.Model}' must be one of allowed_models ({string.Join(", ", effective.AllowedModels)}).";
            }
        }

        return change;
    }

    private static bool Check(TenantConfigChange change, string field, bool ok, string problem)
    {
        if (!ok)
        {
            change.Errors[field] = $"{field} {problem}.";
        }

        return ok;
    }

    private string? String(string field, JsonElement value, int maxLength, out string? text)
    {
        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var problem = text is null ? "must be a string" : TextInput.Problem(text, maxLength, required: false);
        if (problem is not null)
        {
            Errors[field] = $"{field} {problem}.";
            return null;
        }

        return text;
    }

    private string[]? Models(string field, JsonElement value, ModelProviders models)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxAllowedModels
            || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            Errors[field] = $"{field} must be a list of 1 to {MaxAllowedModels} model names.";
            return null;
        }

        var names = value.EnumerateArray().Select(v => v.GetString()!).ToArray();
        var unknown = names.Where(n => !models.Serves(n)).ToList();
        if (unknown.Count > 0)
        {
            Errors[field] = $"{field} names models this server does not serve ({string.Join(", ", unknown.Select(u => u.Length > 50 ? u[..50] : u))}); it serves {string.Join(", ", models.Served)}.";
            return null;
        }

        return names.Distinct(StringComparer.Ordinal).ToArray();
    }
}
