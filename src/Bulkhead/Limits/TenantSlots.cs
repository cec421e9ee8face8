namespace Bulkhead.Limits;

/// <summary>One tenant's LLM slots on this instance: a counter and a FIFO of waiters under one lock.</summary>
internal sealed class TenantSlots
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource<bool>> _waiters = new();
    private int _active;
    private int _capacity;

    public int Active
    {
        get
        {
            lock (_lock)
            {
                return _active;
            }
        }
    }

    /// <returns>True with a slot held; false when none freed within the timeout.</returns>
    public async Task<bool> EnterAsync(int capacity, TimeSpan timeout, CancellationToken ct)
    {
        LinkedListNode<TaskCompletionSource<bool>> node;
        lock (_lock)
        {
            _capacity = capacity;
            if (_active < capacity && _waiters.Count == 0)
            {
                _active++;
                return true;
            }

            node = _waiters.AddLast(new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        await using (deadline.Token.Register(() => Abandon(node)))
        {
            // True when Exit handed this waiter a slot; false when the deadline or the caller gave up first.
            var entered = await node.Value.Task;
            if (!entered)
            {
                ct.ThrowIfCancellationRequested();
            }

            return entered;
        }
    }

    /// <summary>Frees a slot: the oldest waiter takes it over, else the count goes down (also when a lowered cap is still exceeded).</summary>
    public void Exit()
    {
        lock (_lock)
        {
            while (_active <= _capacity && _waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                if (first.Value.TrySetResult(true))
                {
                    return;
                }
            }

            _active--;
        }
    }

    private void Abandon(LinkedListNode<TaskCompletionSource<bool>> node)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                return;
            }

            _waiters.Remove(node);
        }

        node.Value.TrySetResult(false);
    }
}
