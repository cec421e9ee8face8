using Bulkhead.Chat;
using Bulkhead.Host.Chat;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Host.Hosting;
using Bulkhead.Limits;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Limits;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bulkhead.Tests.Chat.Engine;

/// <summary>
/// The engine with one scripted provider and the limits production runs: the in-process concurrency gate and
/// the token quota in a test database (<see cref="LimitsDatabase"/>), no server.
/// </summary>
public static class EngineKit
{
    public static ModelCall Call(IEnumerable<ChatMessage> messages, string model = "scripted") =>
        Call(new TenantScope(Guid.CreateVersion7(), Placement.Pooled, 1), messages, model);

    public static ModelCall Call(TenantScope tenant, IEnumerable<ChatMessage> messages, string model = "scripted") =>
        ModelCall.Create(tenant, "uma", new ChatSettings(model, 0.5f, 64, "Be brief.", null, [model], null), messages);

    public static ChatEngine Engine(IChatClient client, LimitsDatabase limits, LlmConcurrencyGate? gate = null)
    {
        var options = Options.Create(new BulkheadOptions());
        var providers = new ModelProviders([new Scripted(client)], options, new ProviderKeySealer(options), NullLoggerFactory.Instance);
        var admission = new ChatAdmission(gate ?? new LlmConcurrencyGate(limits.Limits, limits.Options), limits.Quota);
        return new ChatEngine(providers, admission, new TokenCounter(), NullLogger<ChatEngine>.Instance);
    }

    private sealed class Scripted(IChatClient client) : IModelProvider
    {
        public IReadOnlyList<string> Models { get; } = ["scripted"];

        public IChatClient Create(string model, Func<string?> tenantKey) => client;

        public ModelFailure Classify(Exception failure) => ModelFailure.Of(failure);
    }
}

/// <summary>Keeps what it was asked to record.</summary>
public sealed class KeptAnswers : IChatRecorder<ModelAnswer>
{
    public List<ModelAnswer> Kept { get; } = [];

    public Task<ModelAnswer> RecordAsync(ModelCall call, ModelAnswer answer, CancellationToken ct)
    {
        Kept.Add(answer);
        return Task.FromResult(answer);
    }
}

/// <summary>A stream sink that keeps its deltas.</summary>
public sealed class KeptStream : IChatSink
{
    public List<string> Deltas { get; } = [];

    public bool Streams => true;

    public bool Started => Deltas.Count > 0;

    public Task WriteAsync(string delta)
    {
        Deltas.Add(delta);
        return Task.CompletedTask;
    }
}
