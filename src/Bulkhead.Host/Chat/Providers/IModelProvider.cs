using Bulkhead.Host.Chat.Engine;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat.Providers;

/// <summary>
/// A source of models: it names the models it serves, creates the client for one call, and says what
/// its own failures mean. Registered with <c>services.AddSingleton&lt;IModelProvider, …&gt;()</c>;
/// <see cref="ModelProviders"/> does the rest (routing, logging, telemetry, tenants' keys).
/// </summary>
public interface IModelProvider
{
    IReadOnlyList<string> Models { get; }

    /// <param name="tenantKey">Opens the tenant's own provider key (null when it has none); call it only to use it.</param>
    IChatClient Create(string model, Func<string?> tenantKey);

    ModelFailure Classify(Exception failure);
}
