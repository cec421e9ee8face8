using Bulkhead.Chat;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat.Providers;

/// <summary>
/// The registry of model providers: which models this server serves (the built-in <c>offline</c> first),
/// which provider serves a model, and the <see cref="IChatClient"/> pipeline of each call: the provider's
/// client wrapped in logging and OpenTelemetry. A tenant's own provider key is opened only here, in
/// memory, and only when the provider asks for it.
/// </summary>
public sealed class ModelProviders(
    IEnumerable<IModelProvider> providers, IOptions<BulkheadOptions> options, ProviderKeySealer sealer, ILoggerFactory logs)
{
    public const string TelemetrySource = "Bulkhead.Chat";

    private readonly IReadOnlyList<IModelProvider> _providers = [.. providers];

    private ChatServerOptions Chat => options.Value.Chat;

    public IReadOnlyList<string> Served => [.. _providers.SelectMany(p => p.Models)];

    public ServerChatDefaults Defaults => new(Chat.DefaultModel, Chat.DefaultTemperature, Chat.DefaultSystemPrompt, Served);

    public bool Serves(string model) => ProviderOf(model) is not null;

    /// <summary>A client for one call of one tenant; throws <see cref="ModelCallException"/> when the call cannot be made as configured.</summary>
    public IChatClient Create(ModelCall call)
    {
        var provider = ProviderOf(call.Model) ?? throw new ModelCallException(ModelFailure.Unavailable(
            $"The configured model '{call.Model}' is not served by this server; a tenant admin can choose another in /api/tenant/config."));
        var inner = provider.Create(call.Model, () => call.Settings.ProviderKeySealed is { } sealedKey ? OpenTenantKey(call.Tenant.TenantId, sealedKey) : null);
        return new ChatClientBuilder(inner)
            .UseOpenTelemetry(logs, TelemetrySource)
            .Build();
    }

    /// <summary>What a failure of the model's provider means to the caller.</summary>
    public ModelFailure Classify(string model, Exception failure) => ProviderOf(model)?.Classify(failure) ?? ModelFailure.Of(failure);

    private IModelProvider? ProviderOf(string model) => _providers.FirstOrDefault(p => p.Models.Contains(model, StringComparer.Ordinal));

    private string OpenTenantKey(Guid tenantId, byte[] sealedKey)
    {
        try
        {
            return sealer.Open(tenantId, sealedKey);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The server's sealing secret changed since the key was stored.
            throw new ModelCallException(ModelFailure.Unavailable(
                "The tenant's own provider key cannot be opened with this server's secret; a tenant admin can set it again in /api/tenant/config."));
        }
    }
}
