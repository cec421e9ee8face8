using Bulkhead.Chat;
using Bulkhead.Host.Chat;
using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Host.Hosting;
using Bulkhead.Tenancy;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bulkhead.Tests.Chat.Engine;

/// <summary>The engine with no limits registered and one scripted provider: what it does, with no server.</summary>
public static class EngineKit
{
    public static ModelCall Call(IEnumerable<ChatMessage> messages, string model = "scripted") =>
        ModelCall.Create(new TenantScope(Guid.CreateVersion7(), Placement.Pooled, 1), "uma",
            new ChatSettings(model, 0.5f, 64, "Be brief.", null, [model], null), messages);

    public static ChatEngine Engine(IChatClient client)
    {
        var options = Options.Create(new BulkheadOptions());
        var providers = new ModelProviders([new Scripted(client)], options, new ProviderKeySealer(options), NullLoggerFactory.Instance);
        return new ChatEngine(providers, new ChatAdmission(new ServiceCollection().BuildServiceProvider()), new TokenCounter(), NullLogger<ChatEngine>.Instance);
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
