namespace Bulkhead.Host.Chat.Engine;

/// <summary>The sink of a JSON answer: nothing is sent until the whole answer is stored.</summary>
public sealed class WholeAnswer : IChatSink
{
    public static WholeAnswer Sink { get; } = new();

    private WholeAnswer()
    {
    }

    public bool Streams => false;

    public bool Started => false;

    public Task WriteAsync(string delta) => throw new NotSupportedException("A whole answer is not streamed.");
}
