using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Hosting;

/// <summary>
/// The node's part in a rolling restart. On shutdown (SIGTERM), before the server stops listening, the node
/// starts draining: /readyz answers 503, new requests are refused, and the requests in flight are given the
/// grace period to finish. Only then does the host go on to stop the server and its background work.
/// </summary>
public sealed class NodeDrain(IOptions<ShutdownOptions> options, TimeProvider time, ILogger<NodeDrain> log) : IHostedLifecycleService, IDisposable
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cut = new();
    private int _inFlight;
    private volatile bool _draining;
    private volatile bool _refusing;

    /// <summary>From the start of the shutdown: <c>/readyz</c> fails, so the load balancer stops sending requests here.</summary>
    public bool IsDraining => _draining;

    /// <summary>From the end of <see cref="ShutdownOptions.DrainDelay"/>: new requests are refused.</summary>
    public bool IsRefusing => _refusing;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Cancelled when the grace period is over: the requests still in flight are aborted then.</summary>
    public CancellationToken Cut => _cut.Token;

    /// <summary>Counts a request in, unless the node refuses new ones. A request counted in must be counted out with <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        // Counted first, checked second: a drain that starts in between sees this request and waits for it.
        Interlocked.Increment(ref _inFlight);
        if (!_refusing)
        {
            return true;
        }

        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _refusing)
        {
            _idle.TrySetResult();
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        _draining = true;
        log.LogInformation("Draining: /readyz answers 503; new requests are refused after {Delay}, and those in flight get up to {Grace} in all to finish",
            settings.DrainDelay, settings.GracePeriod);
        var started = time.GetTimestamp();
        try
        {
            // The load balancer may still send requests until it has seen /readyz fail: they are served.
            await Task.Delay(settings.DrainDelay, time, cancellationToken);
            _refusing = true;
            if (InFlight == 0)
            {
                _idle.TrySetResult();
            }

            await _idle.Task.WaitAsync(settings.GracePeriod - settings.DrainDelay, time, cancellationToken);
            log.LogInformation("Drained in {Elapsed}: no request in flight", time.GetElapsedTime(started));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _refusing = true;
            log.LogWarning("Grace period of {Grace} over with {InFlight} requests still in flight: they are cut", settings.GracePeriod, InFlight);
            await _cut.CancelAsync();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _cut.Dispose();
}
