using System.Net;

namespace Bulkhead.Tests.Hosting.ScaleOut;

/// <summary>
/// What a load balancer does in front of the nodes: requests go round-robin to the nodes in rotation; a node
/// leaves it when a connection to it fails or its <c>/readyz</c> fails, and comes back when <c>/readyz</c>
/// answers 200 again (checked every <see cref="CheckInterval"/>).
/// </summary>
public sealed class NodeRing(IReadOnlyList<Uri> nodes) : IDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(100);

    private readonly bool[] _up = nodes.Select(_ => true).ToArray();
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(1) };
    private int _next;

    public int Count => nodes.Count;

    /// <summary>The next node in rotation (any node when none is, so that the failure shows).</summary>
    public int Next()
    {
        for (var i = 0; i < _up.Length; i++)
        {
            var node = (int)((uint)Interlocked.Increment(ref _next) % (uint)_up.Length);
            if (Volatile.Read(ref _up[node]))
            {
                return node;
            }
        }

        return (int)((uint)Interlocked.Increment(ref _next) % (uint)_up.Length);
    }

    public void MarkDown(int node) => Volatile.Write(ref _up[node], false);

    /// <summary>The health check loop, until <paramref name="ct"/> is cancelled.</summary>
    public async Task WatchAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await Task.WhenAll(nodes.Select(async (address, i) => Volatile.Write(ref _up[i], await ReadyAsync(address, ct))));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose() => _probe.Dispose();

    private async Task<bool> ReadyAsync(Uri address, CancellationToken ct)
    {
        try
        {
            using var response = await _probe.GetAsync(new Uri(address, "/readyz"), ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
