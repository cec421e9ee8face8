namespace Bulkhead.Host.Cli;

/// <summary>A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise (logs, CI).</summary>
public sealed class ProgressBar(string label, int total)
{
    private readonly Lock _gate = new();
    private int _done;
    private int _lastTenth = -1;

    public void Advance(string? note = null)
    {
        lock (_gate)
        {
            _done++;
            var fraction = total == 0 ? 1 : (double)_done / total;
            var bar = new string('#', (int)(fraction * 30)).PadRight(30, '.');
            var line = $"{label} [{bar}] {_done}/{total}{(note is null ? "" : "  " + note)}";
            if (!Console.IsErrorRedirected)
            {
                Console.Error.Write("\r" + line.PadRight(Math.Min(Console.WindowWidth - 1, 120))[..Math.Min(line.Length + 10, 119)]);
                if (_done == total)
                {
                    Console.Error.WriteLine();
                }
            }
            else if ((int)(fraction * 10) != _lastTenth || note is not null)
            {
                _lastTenth = (int)(fraction * 10);
                Console.Error.WriteLine(line);
            }
        }
    }
}
