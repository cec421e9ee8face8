namespace Bulkhead.Chat;

/// <summary>A tenant's chat configuration as stored: the plan's defaults and the tenant's own overrides.</summary>
public sealed record TenantChatConfig(ChatDefaults Plan, ChatOverrides Overrides)
{
    /// <summary>Tenant over plan over server. max_tokens never exceeds the plan's maximum, even after a downgrade.</summary>
    public ChatSettings Resolve(ServerChatDefaults server)
    {
        var allowed = Overrides.AllowedModels ?? Plan.Models ?? server.Models;
        return new ChatSettings(
            Overrides.Model ?? Plan.Model ?? server.Model,
            Overrides.Temperature ?? Plan.Temperature ?? server.Temperature,
            Math.Min(Overrides.MaxTokens ?? Plan.PlanMaxTokens, Plan.PlanMaxTokens),
            Overrides.SystemPrompt ?? Plan.SystemPrompt ?? server.SystemPrompt,
            Overrides.RetentionDays ?? Plan.RetentionDays,
            allowed,
            Overrides.ProviderKeySealed);
    }
}
