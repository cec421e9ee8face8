using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Isolation;

/// <summary>
/// Attacks every endpoint of a running server as every tenant and role. Seeds each tenant through the
/// API with the same subs and a canary unique to the tenant in every text field, harvests the ids and
/// cursors each tenant can see, then sends probes that carry other tenants' ids and cursors, random
/// ids, injection strings and spoofed headers. A finding is a response with another tenant's canary,
/// a 5xx, a foreign id answered differently from a random one, or (read through the owner role after
/// each round) a row written or changed under a tenant other than the caller's. The probes are drawn
/// from a seeded generator: the same seed sends the same probes.
/// </summary>
public sealed class LeakFuzzer(RunningServer server, TestDatabase db, IReadOnlyList<Tenant> tenants, int seed, Action<string> log)
{
    public static readonly string[] Subs = ["alice", "bob", "boss"];

    /// <summary>Endpoints not attacked, each with its reason; printed with every run.</summary>
    public static readonly IReadOnlyDictionary<string, string> Exclusions = new Dictionary<string, string>();

    private static readonly string[] Injections =
    [
        "123' OR tenant_id != 'tenant_a' --", "' OR '1'='1", "1; drop table app.conversations; --", "') or true --",
        "../../../etc/passwd", "%2e%2e%2f", "\u202egnp.exe", "{{7*7}}", "$(id)", "null", "*", "-1", "99999999999999999999",
        "00000000-0000-0000-0000-000000000000", "<script>alert(1)</script>", "\u0000", "x\ud800y", new string('z', 5000),
    ];

    private readonly ConcurrentQueue<string> _findings = new();
    private readonly Dictionary<Guid, string> _canaries = tenants.ToDictionary(t => t.Id, t => $"cnry{Convert.ToHexString(Guid.NewGuid().ToByteArray())[..12].ToLowerInvariant()}");
    private readonly Dictionary<Guid, HashSet<string>> _ids = tenants.ToDictionary(t => t.Id, _ => new HashSet<string>());
    private readonly Dictionary<Guid, HashSet<string>> _cursors = tenants.ToDictionary(t => t.Id, _ => new HashSet<string>());
    private readonly HashSet<Guid> _canarySeenByOwner = [];
    private int _probes;
    private HttpClient _http = null!;
    private List<FuzzEndpoint> _endpoints = [];

    public int Probes => _probes;

    public IReadOnlyCollection<string> Findings => _findings;

    public async Task RunAsync(int budget)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 16 };
        _http = new HttpClient(handler) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        (_endpoints, var excluded) = FuzzEndpoint.Discover(server.Services, Exclusions);
        log($"leak fuzzer: seed {seed}, {_endpoints.Count} endpoints, {tenants.Count} tenants ({string.Join(", ", tenants.Select(t => $"{t.Slug}: {t.Placement.Tier}"))})");
        log($"leak fuzzer: {excluded.Count} exclusion(s){string.Concat(excluded.Select(e => Environment.NewLine + "  excluded " + e))}");

        // The owner's view of every database that holds these tenants' rows, for the after-round check.
        var owners = new List<Npgsql.NpgsqlDataSource>();
        foreach (var tenant in tenants)
        {
            var source = await db.Owners.ForAsync(tenant.Placement, CancellationToken.None);
            if (!owners.Contains(source))
            {
                owners.Add(source);
            }
        }

        var snapshots = await TenantSnapshot.Reader.CreateAsync(owners);
        await SeedAsync();
        foreach (var tenant in tenants)
        {
            Assert.True(_ids[tenant.Id].Count > 0, $"seeding harvested no ids for {tenant.Slug}: the fuzz would prove nothing");
            Assert.True(_canarySeenByOwner.Contains(tenant.Id), $"{tenant.Slug} never saw its own canary: the leak detector would be blind");
        }

        var rounds = tenants.Select((t, i) => (Tenant: (Tenant?)t, Index: i)).Append((null, tenants.Count)).ToList();
        foreach (var (tenant, index) in rounds)
        {
            var before = await snapshots.TakeAsync();
            var probes = Plan(tenant, new Random(HashCode.Combine(seed, index)), budget / rounds.Count);
            await Parallel.ForEachAsync(probes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (probe, _) => await SendAsync(probe));
            var after = await snapshots.TakeAsync();
            var allowed = tenant is null ? new HashSet<Guid>() : [tenant.Id];
            foreach (var change in after.ChangesSince(before, allowed, tenants.Select(t => t.Id).ToHashSet()))
            {
                _findings.Enqueue($"after the round of {tenant?.Slug ?? "platform and anonymous callers"}: {change}");
            }
        }

        log($"leak fuzzer: seed {seed}, {_probes} probes, {_findings.Count} finding(s)");
    }

    private string Token(Tenant tenant, string sub) => TestKeys.Token(tenant.Id, sub, sub == "boss" ? Roles.Admin : Roles.Member);

    /// <summary>Writes each tenant's canary through every write endpoint, then reads every read endpoint to harvest ids and cursors.</summary>
    private async Task SeedAsync()
    {
        foreach (var tenant in tenants)
        {
            foreach (var sub in Subs)
            {
                var token = Token(tenant, sub);
                var canary = _canaries[tenant.Id];
                foreach (var endpoint in _endpoints.Where(e => e.Method is "POST" or "PUT" && e.RouteValues.Count == 0))
                {
                    var body = new JsonObject();
                    foreach (var field in endpoint.Body)
                    {
                        body[field.Name] = field.IsNumber ? JsonValue.Create(1) : field.Type == typeof(string) ? JsonValue.Create($"{canary} {field.Name} of {sub}") : null;
                    }

                    await SeedRequestAsync(tenant, new Probe(endpoint.Name, HttpMethod.Parse(endpoint.Method), endpoint.Route, body.ToJsonString(), token, tenant));
                }

                for (var pass = 0; pass < 2; pass++)
                {
                    foreach (var endpoint in _endpoints.Where(e => e.Method == "GET" || (pass == 1 && e.Method == "POST" && e.RouteValues.Count > 0)))
                    {
                        foreach (var path in Paths(endpoint, tenant).Take(6))
                        {
                            var body = endpoint.Method == "POST"
                                ? new JsonObject(endpoint.Body.Where(f => f.Type == typeof(string)).Select(f => KeyValuePair.Create(f.Name, (JsonNode?)$"{canary} {f.Name}"))).ToJsonString()
                                : null;
                            await SeedRequestAsync(tenant, new Probe(endpoint.Name, HttpMethod.Parse(endpoint.Method), path, body, token, tenant));
                        }
                    }
                }
            }
        }
    }

    private IEnumerable<string> Paths(FuzzEndpoint endpoint, Tenant tenant)
    {
        var query = endpoint.Query.Any(q => q.Name == "limit") ? "?limit=1" : "";
        if (endpoint.RouteValues.Count == 0)
        {
            yield return endpoint.Route + query;
            yield break;
        }

        foreach (var id in _ids[tenant.Id].Order(StringComparer.Ordinal).ToList())
        {
            yield return Fill(endpoint.Route, endpoint.RouteValues.ToDictionary(r => r, _ => id)) + query;
        }
    }

    private async Task SeedRequestAsync(Tenant tenant, Probe probe)
    {
        var (_, body) = await SendAsync(probe);
        if (body.Contains(_canaries[tenant.Id], StringComparison.Ordinal))
        {
            _canarySeenByOwner.Add(tenant.Id);
        }

        Harvest(tenant, body);
    }

    private void Harvest(Tenant tenant, string body)
    {
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return;
        }

        var stack = new Stack<(string Key, JsonNode? Node)>([("", json)]);
        while (stack.TryPop(out var item))
        {
            switch (item.Node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o)
                    {
                        stack.Push((key, value));
                    }

                    break;
                case JsonArray a:
                    foreach (var value in a)
                    {
                        stack.Push((item.Key, value));
                    }

                    break;
                case JsonValue v when v.TryGetValue<string>(out var text):
                    if (item.Key.Contains("cursor", StringComparison.Ordinal))
                    {
                        _cursors[tenant.Id].Add(text);
                    }
                    else if (Guid.TryParse(text, out _) && !tenants.Any(t => t.Id != tenant.Id && _ids[t.Id].Contains(text)))
                    {
                        _ids[tenant.Id].Add(text);
                    }

                    break;
            }
        }
    }

    /// <summary>The probes of one round: one tenant's member, member and admin, or (tenant null) the platform operator and an anonymous caller.</summary>
    private List<(Probe Probe, Probe? Twin)> Plan(Tenant? caller, Random random, int budget)
    {
        var foreignTenants = tenants.Where(t => t.Id != caller?.Id).ToList();
        // The platform operator may legitimately delete or suspend tenants; it is attacked with
        // content ids, never with the tenants' own ids, so that the run keeps its tenants.
        var foreignIds = foreignTenants.SelectMany(t => _ids[t.Id]).Where(id => caller is not null || !tenants.Any(t => t.Id.ToString() == id)).Order(StringComparer.Ordinal).ToArray();
        // A foreign id written into the caller's own content (a title that names it) lets a search for it
        // find the caller's own rows, which is no leak. So the ids are split by their last hex digit: the
        // ones probed in pairs against a random twin are never the ones written into bodies.
        var pairIds = foreignIds.Where(IsPairId).ToArray();
        var plantedIds = foreignIds.Where(id => !IsPairId(id)).ToArray();
        var foreignCursors = foreignTenants.SelectMany(t => _cursors[t.Id]).Order(StringComparer.Ordinal).ToArray();
        var ownIds = caller is null ? [] : _ids[caller.Id].Order(StringComparer.Ordinal).ToArray();
        var ownCursors = caller is null ? [] : _cursors[caller.Id].Order(StringComparer.Ordinal).ToArray();
        string[] tokens = caller is null ? [TestKeys.PlatformToken(), ""] : Subs.Select(s => Token(caller, s)).ToArray();
        var text = caller is null ? "outsider text" : _canaries[caller.Id] + " fuzz";

        string Pick(string[] values, string fallback) => values.Length == 0 ? fallback : values[random.Next(values.Length)];
        string Value(FuzzField? field, bool allowOwn, bool stored = false)
        {
            if (field is { IsCursor: true } && random.Next(3) > 0)
            {
                return random.Next(4) == 0 && allowOwn ? Pick(ownCursors, "x") : Pick(foreignCursors, "x");
            }

            return random.Next(allowOwn ? 10 : 7) switch
            {
                0 or 1 => Pick(stored ? plantedIds : foreignIds, Guid.NewGuid().ToString()),
                2 => Guid.CreateVersion7().ToString(),
                3 or 4 => Pick(Injections, "'"),
                5 or 6 => text,
                _ => Pick(ownIds, Guid.NewGuid().ToString()),
            };
        }

        var planned = new List<(Probe, Probe?)>();
        for (var sent = 0; sent < budget;)
        {
            var endpoint = _endpoints[random.Next(_endpoints.Count)];
            var token = tokens[random.Next(tokens.Length)];
            var paired = pairIds.Length > 0 && random.Next(3) == 0;
            var slots = endpoint.RouteValues.Select(r => "route:" + r)
                .Concat(endpoint.Query.Where(q => q.IsText).Select(q => "query:" + q.Name))
                .Concat(endpoint.Body.Where(b => b.IsText).Select(b => "body:" + b.Name)).ToList();
            var pairSlot = paired && slots.Count > 0 ? slots[random.Next(slots.Count)] : null;
            var foreign = Pick(pairIds, "");
            var twinId = new Guid(random.NextInt64().ToString("x16") + random.NextInt64().ToString("x16")).ToString();

            // Every random choice is made once, then rendered twice: with the foreign id, and (the twin)
            // with a random id in the same slot, so that the two requests differ in nothing else.
            const string Pair = "\u0001pair";
            var draft = new Dictionary<string, JsonNode?>();
            foreach (var route in endpoint.RouteValues)
            {
                draft["route:" + route] = "route:" + route == pairSlot ? Pair : Value(null, pairSlot is null);
            }

            foreach (var field in endpoint.Query.Where(q => "query:" + q.Name == pairSlot || random.Next(3) > 0))
            {
                draft["query:" + field.Name] = "query:" + field.Name == pairSlot ? Pair
                    : field.IsText ? Value(field, pairSlot is null)
                    : random.Next(4) == 0 ? Pick(Injections, "'") : random.Next(-2, 120).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var spoofBody = random.Next(8) == 0 && foreignTenants.Count > 0;
            foreach (var field in endpoint.TakesBody ? endpoint.Body : [])
            {
                draft["body:" + field.Name] = "body:" + field.Name == pairSlot ? Pair
                    : field.IsText ? Value(field, pairSlot is null, stored: true)
                    : field.IsNumber ? JsonValue.Create(random.Next(-2, 5)) : null;
            }

            string Render(string pairValue, out string? body)
            {
                string Text(string key) => draft[key]!.GetValue<string>() is var v && v == Pair ? pairValue : v;
                var path = Fill(endpoint.Route, endpoint.RouteValues.ToDictionary(r => r, r => Text("route:" + r)));
                var query = endpoint.Query.Where(q => draft.ContainsKey("query:" + q.Name))
                    .Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(Text("query:" + q.Name))}").ToList();
                body = null;
                if (endpoint.TakesBody)
                {
                    var json = new JsonObject();
                    foreach (var field in endpoint.Body)
                    {
                        var value = draft["body:" + field.Name];
                        json[field.Name] = value is JsonValue v && v.TryGetValue<string>(out var text) ? (text == Pair ? pairValue : text) : value?.DeepClone();
                    }

                    if (spoofBody)
                    {
                        // A body that names a tenant must be refused or ignored, never obeyed.
                        json["tenant_id"] = foreignTenants[0].Id.ToString();
                    }

                    body = json.ToJsonString();
                }

                return path + (query.Count > 0 ? "?" + string.Join("&", query) : "");
            }

            var first = Render(foreign, out var firstBody);
            var headers = random.Next(3) == 0 && foreignTenants.Count > 0
                ? new[] { ("X-Tenant-ID", foreignTenants[random.Next(foreignTenants.Count)].Id.ToString()), ("X-User-ID", Pick(foreignIds, "alice")), ("X-Tenant", foreignTenants[0].Slug), ("X-Forwarded-User", "alice") }
                : [];
            var accept = random.Next(10) == 0 ? "text/event-stream" : "application/json";
            var probe = new Probe(endpoint.Name, HttpMethod.Parse(endpoint.Method), first, firstBody, token, caller, headers, accept, pairSlot is null ? null : foreign);
            Probe? twin = null;
            if (pairSlot is not null)
            {
                var second = Render(twinId, out var secondBody);
                twin = probe with { Path = second, Body = secondBody, PairValue = twinId };
            }

            planned.Add((probe, twin));
            sent += twin is null ? 1 : 2;
        }

        return planned;
    }

    private async Task SendAsync((Probe Probe, Probe? Twin) planned)
    {
        var (status, body) = await SendAsync(planned.Probe);
        if (planned.Twin is { } twin)
        {
            var (twinStatus, twinBody) = await SendAsync(twin);
            if (status != 429 && twinStatus != 429)
            {
                var shape = Shape(status, body, planned.Probe.PairValue!);
                var twinShape = Shape(twinStatus, twinBody, twin.PairValue!);
                if (shape != twinShape)
                {
                    Report($"{planned.Probe.Describe()}: a foreign id got [{shape}] but a random id got [{twinShape}]");
                }
            }
        }
    }

    private async Task<(int Status, string Body)> SendAsync(Probe probe)
    {
        Interlocked.Increment(ref _probes);
        using var request = new HttpRequestMessage(probe.Method, probe.Path);
        if (probe.Token.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", probe.Token);
        }

        request.Headers.Accept.ParseAdd(probe.Accept);
        foreach (var (name, value) in probe.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (probe.Body is not null)
        {
            request.Content = new StringContent(probe.Body, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            Report($"{probe.Describe()}: {status} {Truncate(body)}");
        }

        var everything = body + string.Join("\n", response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value));
        foreach (var (tenant, canary) in _canaries)
        {
            if (tenant != probe.Caller?.Id && everything.Contains(canary, StringComparison.Ordinal))
            {
                Report($"{probe.Describe()}: LEAK of tenant {tenants.Single(t => t.Id == tenant).Slug}'s canary in a {status} answer: {Truncate(body)}");
            }
        }

        return (status, body);
    }

    /// <summary>What must not differ between a foreign id and a random one: status, media type and the body's structure and messages.</summary>
    private static string Shape(int status, string body, string probeValue)
    {
        body = body.Replace(probeValue, "{id}", StringComparison.Ordinal).Replace(Uri.EscapeDataString(probeValue), "{id}", StringComparison.Ordinal);
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return $"{status} non-json";
        }

        return $"{status} {Structure(json, status >= 400)}";
    }

    private static string Structure(JsonNode? node, bool withValues) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.Where(p => p.Key != "trace_id").OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + ":" + Structure(p.Value, withValues && p.Key is "title" or "detail" or "status" or "type" or "errors"))) + "}",
        JsonArray a => a.Count == 0 ? "[]" : "[" + Structure(a[0], withValues) + "...]",
        JsonValue v => withValues ? v.ToJsonString() : v.GetValueKind().ToString(),
        _ => "null",
    };

    private static bool IsPairId(string id) => Uri.IsHexDigit(id[^1]) && Convert.ToInt32(id[^1].ToString(), 16) % 2 == 0;

    private void Report(string finding)
    {
        if (_findings.Count < 200)
        {
            _findings.Enqueue(finding);
        }
    }

    private static string Fill(string route, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (name, value) in values)
        {
            var start = route.IndexOf("{" + name, StringComparison.Ordinal);
            var end = route.IndexOf('}', start);
            route = route[..start] + Uri.EscapeDataString(value) + route[(end + 1)..];
        }

        return route;
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "..." : text;

    private sealed record Probe(string Endpoint, HttpMethod Method, string Path, string? Body, string Token, Tenant? Caller,
        IReadOnlyList<(string Name, string Value)>? ExtraHeaders = null, string Accept = "application/json", string? PairValue = null)
    {
        public IReadOnlyList<(string Name, string Value)> Headers => ExtraHeaders ?? [];

        public string Describe() => $"{Endpoint} as {(Caller is null ? (Token.Length == 0 ? "anonymous" : "platform") : Caller.Slug)}: {Method} {Truncate(Path)} {Truncate(Body ?? "")}";
    }
}
