namespace Bulkhead.Host.Chat.Engine;

/// <summary>Where a model's answer goes: all at once (<see cref="WholeAnswer"/>) or as it is written (a stream).</summary>
public interface IChatSink
{
    /// <summary>True when the words go out as the model writes them.</summary>
    bool Streams { get; }

    /// <summary>True once anything was sent: from then on a failure can only be told inside the stream.</summary>
    bool Started { get; }

    /// <summary>Sends one piece of the answer; throws IOException or OperationCanceledException when the client left.</summary>
    Task WriteAsync(string delta);
}
