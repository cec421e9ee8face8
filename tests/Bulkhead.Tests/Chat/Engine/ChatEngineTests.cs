using Bulkhead.Host.Chat.Engine;
using Microsoft.Extensions.AI;

namespace Bulkhead.Tests.Chat.Engine;

public sealed class ChatEngineTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "hello?")];

    [Fact]
    public async Task a_whole_answer_is_recorded_complete_with_the_system_prompt_first()
    {
        var kept = new KeptAnswers();

        var run = await EngineKit.Engine(new ScriptedClient(["hi ", "there"])).RunAsync(EngineKit.Call(Question), WholeAnswer.Sink, kept, CancellationToken.None);

        Assert.Equal((RunOutcome.Completed, "hi there", true), (run.Outcome, run.Answer.Text, Assert.Single(kept.Kept).Complete));
        Assert.Null(run.Failure);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_provider_that_fails_before_anything_was_sent_throws_and_nothing_is_recorded(bool stream)
    {
        var kept = new KeptAnswers();
        IChatSink sink = stream ? new KeptStream() : WholeAnswer.Sink;

        var thrown = await Assert.ThrowsAsync<ModelCallException>(() =>
            EngineKit.Engine(new ScriptedClient([], failAtOnce: true)).RunAsync(EngineKit.Call(Question), sink, kept, CancellationToken.None));

        Assert.Equal(ModelFault.Failed, thrown.Failure.Fault);
        Assert.DoesNotContain("the script failed", thrown.Failure.Detail, StringComparison.Ordinal);
        Assert.Empty(kept.Kept);
    }

    [Fact]
    public async Task a_provider_that_fails_mid_stream_is_recorded_incomplete_and_its_failure_returned_for_the_sink_to_tell()
    {
        var kept = new KeptAnswers();
        var sink = new KeptStream();

        var run = await EngineKit.Engine(new ScriptedClient(["half "], failAfter: true)).RunAsync(EngineKit.Call(Question), sink, kept, CancellationToken.None);

        Assert.Equal((RunOutcome.Failed, ModelFault.Failed, "half "), (run.Outcome, run.Failure?.Fault, Assert.Single(kept.Kept).Text));
        Assert.False(kept.Kept[0].Complete);
        Assert.Equal(["half "], sink.Deltas);
    }

    [Fact]
    public async Task a_model_no_provider_serves_is_unavailable_before_anything_else()
    {
        var kept = new KeptAnswers();

        var thrown = await Assert.ThrowsAsync<ModelCallException>(() =>
            EngineKit.Engine(new ScriptedClient(["never"])).RunAsync(EngineKit.Call(Question, model: "gone"), WholeAnswer.Sink, kept, CancellationToken.None));

        Assert.Equal(ModelFault.Unavailable, thrown.Failure.Fault);
        Assert.Contains("'gone' is not served", thrown.Failure.Detail, StringComparison.Ordinal);
        Assert.Empty(kept.Kept);
    }
}
