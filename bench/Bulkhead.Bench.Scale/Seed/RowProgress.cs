using System.Diagnostics;

namespace Bulkhead.Bench.Scale.Seed;

/// <summary>
/// A progress bar for rows loaded, on stderr: redrawn in place on a terminal, a line every few seconds
/// otherwise (logs, CI). Writers add from any thread; a timer draws.
/// </summary>
public sealed class RowProgress : IAsyncDisposable
{
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _drawer;
    private long _done;
    private string _stage = "";

    public RowProgress(long total)
    {
        _total = Math.Max(1, total);
        _drawer = DrawLoopAsync();
    }

    public void Add(long rows) => Interlocked.Add(ref _done, rows);

    public void Stage(string stage) => Volatile.Write(ref _stage, stage);

    private async Task DrawLoopAsync()
    {
        var interactive = !Console.IsErrorRedirected;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(interactive ? 250 : 5000));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Draw(interactive);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the final line is drawn below.
        }
    }

    private void Draw(bool interactive)
    {
        var done = Interlocked.Read(ref _done);
        var fraction = Math.Min(1.0, (double)done / _total);
        var seconds = _clock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? done / seconds : 0;
        var eta = rate > 0 && done < _total ? $" eta {TimeSpan.FromSeconds((_total - done) / rate):mm\\:ss}" : "";
        var bar = new string('#', (int)(fraction * 30)).PadRight(30, '.');
        var line = $"seed [{bar}] {fraction,6:P1} {done:N0}/{_total:N0} rows {rate:N0}/s{eta} {Volatile.Read(ref _stage)}";
        Console.Error.Write(interactive ? "\r" + line.PadRight(130)[..130] : line + Environment.NewLine);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _drawer;
        Draw(interactive: false);
        _stop.Dispose();
    }
}
