using System.Diagnostics;
using System.Net;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>What one load phase measured.</summary>
public sealed record LoadResult(string Name, int Clients, double Seconds, long Requests, long Errors, double RequestsPerSecond, Latency Latency)
{
    /// <summary>Every request's latency, for merging alternating rounds; not written to the JSON.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double> Samples { get; init; } = [];

    public static LoadResult Merge(string name, IReadOnlyList<LoadResult> rounds)
    {
        var samples = rounds.SelectMany(r => r.Samples).ToList();
        var seconds = rounds.Sum(r => r.Seconds);
        return new LoadResult(name, rounds[0].Clients, seconds, samples.Count, rounds.Sum(r => r.Errors), samples.Count / seconds, Latency.Of(samples)) { Samples = samples };
    }
}

/// <summary>
/// The HTTP load generator: a fixed number of clients, each sending its next request when the previous
/// answer is read (closed loop), for a bounded time and a bounded number of requests.
/// </summary>
public sealed class LoadDriver : IDisposable
{
    public const long MaxRequestsPerPhase = 2_000_000;

    private readonly HttpClient _client;

    public LoadDriver(Uri server, int maxConnections)
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static HttpRequestMessage Get(string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <param name="until">When given, the phase runs until this task has completed (still bounded by <paramref name="duration"/>).</param>
    public async Task<LoadResult> RunAsync(string name, Func<HttpRequestMessage> request, int clients, TimeSpan duration, CancellationToken ct, long maxRequests = MaxRequestsPerPhase, Task? until = null)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long issued = 0, errors = 0;
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>(16_384);
            while (Stopwatch.GetTimestamp() < deadline && until?.IsCompleted != true && Interlocked.Increment(ref issued) <= maxRequests)
            {
                var begin = Stopwatch.GetTimestamp();
                using var message = request();
                using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
                latencies.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK && Interlocked.Increment(ref errors) == 1)
                {
                    await Console.Error.WriteLineAsync($"bench: {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
            }

            return latencies;
        }, ct)).ToArray();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).ToList();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new LoadResult(name, clients, seconds, all.Count, errors, all.Count / seconds, Latency.Of(all)) { Samples = all };
    }

    /// <summary>A request factory that hands out <paramref name="tokens"/> in turn, so concurrent clients spread over them.</summary>
    public static Func<HttpRequestMessage> RoundRobin(string path, IReadOnlyList<string> tokens)
    {
        var next = -1;
        return () => Get(path, tokens[(int)((uint)Interlocked.Increment(ref next) % tokens.Count)]);
    }

    public void Dispose() => _client.Dispose();
}
