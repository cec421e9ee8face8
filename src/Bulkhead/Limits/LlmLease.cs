namespace Bulkhead.Limits;

/// <summary>One LLM call's slot; disposing it (once, or more: later disposals do nothing) frees the slot.</summary>
public sealed class LlmLease : IDisposable, IAsyncDisposable
{
    private Action? _release;

    internal LlmLease(Action release) => _release = release;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
