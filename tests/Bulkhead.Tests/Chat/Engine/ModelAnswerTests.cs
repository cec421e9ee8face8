using Bulkhead.Host.Chat;
using Bulkhead.Host.Chat.Engine;
using Microsoft.Extensions.AI;

namespace Bulkhead.Tests.Chat.Engine;

public sealed class ModelAnswerTests
{
    private static readonly TokenCounter Tokens = new();
    private static readonly ChatMessage[] Prompt = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "How many tokens is this?")];

    [Fact]
    public async Task a_completed_call_is_charged_what_the_provider_reported()
    {
        var run = await ModelRun.StreamAsync(new ScriptedClient(["four words, no more"], usage: (100, 7)), Call(), _ => Task.CompletedTask, CancellationToken.None);

        var answer = ModelAnswer.Of(run, Prompt, Tokens);

        Assert.Equal(("four words, no more", 100, 7, true), (answer.Text, answer.PromptTokens, answer.CompletionTokens, answer.Complete));
    }

    [Fact]
    public async Task a_provider_that_reports_no_usage_is_counted_with_the_tokenizer()
    {
        var run = await ModelRun.CompleteAsync(new ScriptedClient(["four words, no more"]), Call(), CancellationToken.None);

        var answer = ModelAnswer.Of(run, Prompt, Tokens);

        Assert.Equal((Tokens.Count(Prompt), Tokens.Count("four words, no more"), true), (answer.PromptTokens, answer.CompletionTokens, answer.Complete));
    }

    [Fact]
    public async Task a_stream_cut_by_the_provider_is_counted_for_what_it_produced_and_is_incomplete_even_when_usage_came_first()
    {
        var run = await ModelRun.StreamAsync(new ScriptedClient(["half ", "an "], usage: (100, 7), failAfter: true), Call(), _ => Task.CompletedTask, CancellationToken.None);

        var answer = ModelAnswer.Of(run, Prompt, Tokens);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(("half an ", Tokens.Count(Prompt), Tokens.Count("half an "), false), (answer.Text, answer.PromptTokens, answer.CompletionTokens, answer.Complete));
    }

    [Fact]
    public async Task a_client_that_leaves_mid_stream_stops_the_call_and_keeps_what_was_written()
    {
        var writes = 0;
        var run = await ModelRun.StreamAsync(new ScriptedClient(["one ", "two ", "three"]), Call(), _ => ++writes == 2 ? throw new IOException("gone") : Task.CompletedTask, CancellationToken.None);

        Assert.Equal((RunOutcome.ClientGone, "one two "), (run.Outcome, run.Text.ToString()));
    }

    internal static ModelCall Call() => EngineKit.Call(Prompt[1..]);
}
