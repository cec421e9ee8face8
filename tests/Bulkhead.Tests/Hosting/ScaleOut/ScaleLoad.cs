using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Bulkhead.Tests.Hosting.ScaleOut;

/// <summary>
/// The load driver: workers spread every tenant's writes and reads over the nodes in rotation, and check
/// every read: each row must carry the reading tenant's marker. One tenant with a small rate limit is
/// hammered on its own, so that its admitted requests can be counted against the limit.
/// </summary>
public sealed class ScaleLoad : IDisposable
{
    private readonly IReadOnlyList<LoadTenant> _tenants;
    private readonly LoadTenant? _limited;
    private readonly HttpClient[] _clients;
    private readonly ConcurrentQueue<Exchange> _exchanges = new();
    private readonly ConcurrentQueue<string> _leaks = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _sequence;

    /// <param name="limited">The tenant hammered apart from the others (its requests are counted in <see cref="Limited"/>).</param>
    public ScaleLoad(IReadOnlyList<Uri> nodes, IReadOnlyList<LoadTenant> tenants, LoadTenant? limited = null)
    {
        _tenants = tenants;
        _limited = limited;
        Ring = new NodeRing(nodes);
        _clients = nodes.Select(n => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = n,
            Timeout = TimeSpan.FromSeconds(30),
        }).ToArray();
    }

    public NodeRing Ring { get; }

    /// <summary>Time since the driver was made; <see cref="Exchange"/> times are on this clock.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<Exchange> Exchanges => _exchanges;

    /// <summary>Rows a read returned that do not carry the reading tenant's marker: must stay empty.</summary>
    public IReadOnlyCollection<string> Leaks => _leaks;

    public IEnumerable<Exchange> Limited => _exchanges.Where(e => e.Kind == "limited");

    /// <summary>Runs <paramref name="workers"/> workers (and the limited tenant's one) until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(int workers, CancellationToken stop)
    {
        var watch = Ring.WatchAsync(stop);
        var all = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(stop), CancellationToken.None)).ToList();
        if (_limited is not null)
        {
            all.Add(Task.Run(() => HammerAsync(_limited, stop), CancellationToken.None));
        }

        await Task.WhenAll(all);
        await watch;
    }

    public void Dispose()
    {
        Ring.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    private async Task WorkAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var tenant = _tenants[Random.Shared.Next(_tenants.Count)];
            var roll = Random.Shared.Next(100);
            var conversation = tenant.AnyConversation();
            if (roll < 30 || conversation is null)
            {
                await CreateConversationAsync(tenant);
            }
            else if (roll < 60)
            {
                await ListConversationsAsync(tenant);
            }
            else if (roll < 75)
            {
                await PostMessageAsync(tenant, conversation.Value);
            }
            else
            {
                await ListMessagesAsync(tenant, conversation.Value);
            }
        }
    }

    private async Task HammerAsync(LoadTenant tenant, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using var _ = await SendAsync("limited", tenant, HttpMethod.Get, "/api/me", null);
        }
    }

    private async Task CreateConversationAsync(LoadTenant tenant)
    {
        var title = tenant.Marker + "c" + Interlocked.Increment(ref _sequence);
        using var response = await SendAsync("create", tenant, HttpMethod.Post, "/api/conversations", new { title });
        if (response?.StatusCode == HttpStatusCode.Created)
        {
            tenant.Conversations[(await response.ReadJsonAsync())["id"]!.GetValue<Guid>()] = title;
        }
    }

    private async Task PostMessageAsync(LoadTenant tenant, Guid conversation)
    {
        var content = tenant.Marker + "m" + Interlocked.Increment(ref _sequence);
        using var response = await SendAsync("message", tenant, HttpMethod.Post, $"/api/conversations/{conversation}/messages", new { content });
        if (response?.StatusCode == HttpStatusCode.Created)
        {
            tenant.Messages.Add((conversation, content));
        }
    }

    private async Task ListConversationsAsync(LoadTenant tenant)
    {
        using var response = await SendAsync("list", tenant, HttpMethod.Get, "/api/conversations?limit=20", null);
        if (response?.StatusCode == HttpStatusCode.OK)
        {
            foreach (var item in (await response.ReadJsonAsync())["items"]!.AsArray())
            {
                Check(tenant, "conversation title", item!["title"]!.GetValue<string>());
            }
        }
    }

    private async Task ListMessagesAsync(LoadTenant tenant, Guid conversation)
    {
        using var response = await SendAsync("messages", tenant, HttpMethod.Get, $"/api/conversations/{conversation}/messages?limit=50", null);
        if (response?.StatusCode == HttpStatusCode.OK)
        {
            // The user's messages are the canaries; the model's replies quote them, so they carry the marker too.
            foreach (var item in (await response.ReadJsonAsync())["items"]!.AsArray().Where(m => m!["role"]!.GetValue<string>() == "user"))
            {
                Check(tenant, "message", item!["content"]!.GetValue<string>());
            }
        }
    }

    private void Check(LoadTenant tenant, string what, string text)
    {
        if (!text.StartsWith(tenant.Marker, StringComparison.Ordinal))
        {
            _leaks.Enqueue($"tenant {tenant.Tenant.Slug} read a {what} '{text}'");
        }
    }

    /// <returns>The response, or null when the connection failed (the node leaves the rotation then).</returns>
    private async Task<HttpResponseMessage?> SendAsync(string kind, LoadTenant tenant, HttpMethod method, string path, object? body)
    {
        var node = Ring.Next();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Http.Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Token);
        var sent = Now;
        try
        {
            var response = await _clients[node].SendAsync(request);
            _exchanges.Enqueue(new Exchange(node, kind, (int)response.StatusCode, sent, Now, tenant.Tenant.Id));
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Ring.MarkDown(node);
            _exchanges.Enqueue(new Exchange(node, kind, 0, sent, Now, tenant.Tenant.Id));
            return null;
        }
    }
}
