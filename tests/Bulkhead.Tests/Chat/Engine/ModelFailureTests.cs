using Bulkhead.Host.Chat.Engine;
using Bulkhead.Host.Chat.Providers;
using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Bulkhead.Tests.Chat.Engine;

public sealed class ModelFailureTests
{
    [Fact]
    public void a_timeout_anywhere_among_the_causes_is_a_timeout() =>
        Assert.Equal(ModelFault.TimedOut, ModelFailure.Of(new HttpRequestException("outer", new TaskCanceledException("inner"))).Fault);

    [Fact]
    public void a_status_is_named_and_the_providers_own_text_is_not()
    {
        var failure = ModelFailure.Of(new InvalidOperationException("secret provider text"), status: 429);

        Assert.Equal(ModelFault.Failed, failure.Fault);
        Assert.Contains("status 429", failure.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void the_openai_compatible_provider_knows_its_resilience_pipelines_timeout()
    {
        var provider = new OpenAICompatibleProvider(Options.Create(new BulkheadOptions()), null!);

        Assert.Equal(ModelFault.TimedOut, provider.Classify(new TimeoutRejectedException("attempt timed out")).Fault);
        Assert.Equal(ModelFailure.Unreadable, provider.Classify(new FormatException("bad json")));
    }
}
