using Bulkhead.Host.Chat.Engine;
using Bulkhead.Limits;
using Bulkhead.Tests.Limits;
using Microsoft.Extensions.AI;

namespace Bulkhead.Tests.Chat.Engine;

/// <summary>The engine with the real concurrency gate and token quota: what it answers, records and charges.</summary>
public sealed class ChatEngineTests(LimitsDatabase limits) : IClassFixture<LimitsDatabase>
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "hello?")];

    [Fact]
    public async Task a_whole_answer_is_recorded_complete_with_the_system_prompt_first_and_charged_what_it_used()
    {
        var tenant = await limits.Database.CreateTenantAsync();
        var kept = new KeptAnswers();

        var run = await EngineKit.Engine(new ScriptedClient(["hi ", "there"]), limits).RunAsync(EngineKit.Call(tenant.Scope, Question), WholeAnswer.Sink, kept, CancellationToken.None);

        Assert.Equal((RunOutcome.Completed, "hi there", true), (run.Outcome, run.Answer.Text, Assert.Single(kept.Kept).Complete));
        Assert.Null(run.Failure);
        var usage = await limits.Quota.GetUsageAsync(tenant.Scope, null, CancellationToken.None);
        Assert.Equal((run.Answer.TotalTokens, 0L), (usage.UsedTokens, usage.ReservedTokens));
        Assert.True(usage.UsedTokens > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_provider_that_fails_before_anything_was_sent_throws_records_nothing_and_gives_its_reservation_and_slot_back(bool stream)
    {
        var tenant = await limits.Database.CreateTenantAsync();
        var kept = new KeptAnswers();
        IChatSink sink = stream ? new KeptStream() : WholeAnswer.Sink;
        var gate = new LlmConcurrencyGate(limits.Limits, limits.Options);
        var engine = EngineKit.Engine(new ScriptedClient([], failAtOnce: true), limits, gate);

        var thrown = await Assert.ThrowsAsync<ModelCallException>(() => engine.RunAsync(EngineKit.Call(tenant.Scope, Question), sink, kept, CancellationToken.None));

        Assert.Equal(ModelFault.Failed, thrown.Failure.Fault);
        Assert.DoesNotContain("the script failed", thrown.Failure.Detail, StringComparison.Ordinal);
        Assert.Empty(kept.Kept);
        var usage = await limits.Quota.GetUsageAsync(tenant.Scope, null, CancellationToken.None);
        Assert.Equal((0L, 0L, 0), (usage.UsedTokens, usage.ReservedTokens, gate.InFlight(tenant.Id)));
    }

    [Fact]
    public async Task a_provider_that_fails_mid_stream_is_recorded_incomplete_and_its_failure_returned_for_the_sink_to_tell()
    {
        var tenant = await limits.Database.CreateTenantAsync();
        var kept = new KeptAnswers();
        var sink = new KeptStream();

        var run = await EngineKit.Engine(new ScriptedClient(["half "], failAfter: true), limits).RunAsync(EngineKit.Call(tenant.Scope, Question), sink, kept, CancellationToken.None);

        Assert.Equal((RunOutcome.Failed, ModelFault.Failed, "half "), (run.Outcome, run.Failure?.Fault, Assert.Single(kept.Kept).Text));
        Assert.False(kept.Kept[0].Complete);
        Assert.Equal(["half "], sink.Deltas);
        Assert.Equal(run.Answer.TotalTokens, (await limits.Quota.GetUsageAsync(tenant.Scope, null, CancellationToken.None)).UsedTokens);
    }

    [Fact]
    public async Task a_model_no_provider_serves_is_unavailable_before_anything_else()
    {
        var tenant = await limits.Database.CreateTenantAsync();
        var kept = new KeptAnswers();

        var thrown = await Assert.ThrowsAsync<ModelCallException>(() =>
            EngineKit.Engine(new ScriptedClient(["never"]), limits).RunAsync(EngineKit.Call(tenant.Scope, Question, model: "gone"), WholeAnswer.Sink, kept, CancellationToken.None));

        Assert.Equal(ModelFault.Unavailable, thrown.Failure.Fault);
        Assert.Contains("'gone' is not served", thrown.Failure.Detail, StringComparison.Ordinal);
        Assert.Empty(kept.Kept);
        Assert.Equal(0L, (await limits.Quota.GetUsageAsync(tenant.Scope, null, CancellationToken.None)).ReservedTokens);
    }

    [Fact]
    public async Task a_call_over_the_tenants_concurrency_cap_is_refused_by_the_engine_before_the_model_is_asked()
    {
        var tenant = await limits.Database.CreateTenantAsync();
        await limits.Limits.SetOverridesAsync(tenant.Id, LimitSet.None with { MaxConcurrentLlmCalls = 1 }, CancellationToken.None);
        var gate = new LlmConcurrencyGate(limits.Limits, new LimitsOptions { LlmQueueTimeout = TimeSpan.FromMilliseconds(100) });
        await using var held = await gate.AcquireAsync(tenant.Scope, CancellationToken.None);
        var kept = new KeptAnswers();

        await Assert.ThrowsAsync<LlmConcurrencyExceededException>(() =>
            EngineKit.Engine(new ScriptedClient(["never"]), limits, gate).RunAsync(EngineKit.Call(tenant.Scope, Question), WholeAnswer.Sink, kept, CancellationToken.None));

        Assert.Empty(kept.Kept);
        Assert.Equal(0L, (await limits.Quota.GetUsageAsync(tenant.Scope, null, CancellationToken.None)).ReservedTokens);
    }
}
