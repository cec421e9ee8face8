using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Isolation;

/// <summary>
/// The bad-input corpus: naughty strings in every string field of every endpoint (route values, query
/// parameters, body fields), and malformed bodies (wrong JSON types, deep nesting, duplicate keys,
/// oversized, not JSON). Each answer is a 4xx or a correct success, never a 5xx; a 4xx writes nothing.
/// Endpoints are discovered like the leak fuzzer's, so new fields are covered without edits.
/// </summary>
public sealed class NaughtyInputTests(ITestOutputHelper output)
{
    public static readonly string[] NaughtyStrings =
    [
        "", " ", "\t\r\n", "\u0000", "a\u0000b", "\ud800", "x\udc00y", "\u202eevil\u202c", "\u200b", "\ufeffbom", "😀", "👨‍👩‍👧‍👦",
        "Ω≈ç√∫˜µ≤≥÷", "𝕿𝖊𝖘𝖙", "ｔｅｓｔ", "İıǄǅ", "null", "undefined", "NaN", "-1", "1e309", "0x7fffffff", "true",
        "' OR 1=1 --", "123' OR tenant_id != 'tenant_a' --", "\"; drop table app.conversations; --", "<script>alert(1)</script>",
        "${jndi:ldap://127.0.0.1/a}", "%s%s%s%n", "../../../../etc/passwd", "\r\n\r\nHTTP/1.1 200 OK", "{{7*7}}", "\\", "%00",
        new string('a', 257), new string('b', 33_000), new string('c', 300_000),
    ];

    public static readonly string[] MalformedBodies =
    [
        "", "{", "[]", "\"text\"", "null", "42", "{\"a\":1,\"a\":2}", new string('[', 5_000) + new string(']', 5_000),
        "{\"x\":" + new string('[', 5_000) + new string(']', 5_000) + "}", "{\"tenant_id\":\"" + Guid.NewGuid() + "\"}",
    ];

    private static readonly JsonNode?[] WrongTypes = [123, 1.5, true, new JsonArray("a"), new JsonObject { ["a"] = 1 }, -1];

    [Fact]
    public async Task naughty_strings_in_every_string_field_get_a_4xx_or_a_success_never_a_5xx_or_a_partial_write()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var server = await RunningServer.StartAsync(db);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        var (endpoints, _) = FuzzEndpoint.Discover(server.Services, LeakFuzzer.Exclusions);
        var snapshots = await TenantSnapshot.Reader.CreateAsync([db.Owner]);
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var requests = 0;

        // Endpoints run side by side, each as a tenant of its own, so that a partial write is
        // attributed to the one request that made it.
        await Parallel.ForEachAsync(endpoints, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (endpoint, _) =>
        {
            var tenant = await db.CreateTenantAsync(plan: "enterprise");
            var conversation = await SeedAsync(http, tenant);
            var token = endpoint.Route.StartsWith("/api/admin", StringComparison.Ordinal) ? TestKeys.PlatformToken() : TestKeys.Token(tenant.Id, "boss", Roles.Admin);
            foreach (var (field, path, body) in Cases(endpoint, conversation))
            {
                var before = endpoint.Method == "GET" ? null : await snapshots.TakeAsync();
                var (status, text) = await SendAsync(http, endpoint.Method, path, body, token);
                Interlocked.Increment(ref requests);
                var what = $"{endpoint.Name} {field} = {Shorten(body ?? path)}";
                if (status >= 500)
                {
                    problems.Enqueue($"{what}: {status} {Shorten(text)}");
                }
                else if (status is >= 400 and < 500 && before is not null)
                {
                    var after = await snapshots.TakeAsync();
                    // A refused request may leave an audit record (detection, not data); anything else is a partial write.
                    foreach (var change in after.ChangesSince(before, t => t == tenant.Id, new HashSet<Guid> { tenant.Id })
                        .Where(c => !c.Contains(".audit", StringComparison.Ordinal)))
                    {
                        problems.Enqueue($"{what}: {status} but {change}");
                    }
                }
            }
        });

        var summary = $"naughty input: {requests} requests over {endpoints.Count} endpoints, {problems.Count} problem(s)";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(40)));
    }

    private static List<(string Field, string Path, string? Body)> Cases(FuzzEndpoint endpoint, string conversation)
    {
        var cases = new List<(string Field, string Path, string? Body)>();
        foreach (var field in endpoint.RouteValues.Select(r => "route:" + r)
            .Concat(endpoint.Query.Where(q => q.IsText).Select(q => "query:" + q.Name))
            .Concat(endpoint.Body.Where(b => b.IsText).Select(b => "body:" + b.Name)))
        {
            cases.AddRange(NaughtyStrings.Select(naughty => (field, Path(endpoint, conversation, field, naughty), Body(endpoint, field, naughty))));
        }

        if (endpoint.TakesBody)
        {
            cases.AddRange(MalformedBodies.Select(body => ("whole body", Path(endpoint, conversation, null, null), (string?)body)));
            foreach (var field in endpoint.Body)
            {
                cases.AddRange(WrongTypes.Select(wrong => ("body:" + field.Name, Path(endpoint, conversation, null, null), (string?)new JsonObject { [field.Name] = wrong?.DeepClone() }.ToJsonString())));
            }
        }

        return cases;
    }

    /// <summary>A conversation, so that routes with an id reach a real row.</summary>
    private static async Task<string> SeedAsync(HttpClient http, Tenant tenant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/conversations") { Content = Http.Json(new { title = "naughty" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.Token(tenant.Id, "boss", Roles.Admin));
        var created = await http.SendAsync(request);
        return (await created.ReadJsonAsync())["id"]!.GetValue<string>();
    }

    private static string Path(FuzzEndpoint endpoint, string id, string? field, string? naughty)
    {
        var path = endpoint.Route;
        foreach (var route in endpoint.RouteValues)
        {
            var start = path.IndexOf("{" + route, StringComparison.Ordinal);
            var end = path.IndexOf('}', start);
            path = path[..start] + Uri.EscapeDataString("route:" + route == field ? naughty! : id) + path[(end + 1)..];
        }

        var query = endpoint.Query.Where(q => "query:" + q.Name == field).Select(q => $"{q.Name}={Uri.EscapeDataString(naughty!)}").ToList();
        return path + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    private static string? Body(FuzzEndpoint endpoint, string field, string naughty)
    {
        if (!endpoint.TakesBody)
        {
            return null;
        }

        var json = new JsonObject();
        foreach (var f in endpoint.Body.Where(f => f.IsText && f.Type == typeof(string)))
        {
            json[f.Name] = "body:" + f.Name == field ? naughty : "plain text";
        }

        return json.ToJsonString();
    }

    private static async Task<(int Status, string Body)> SendAsync(HttpClient http, string method, string path, string? body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Parse(method), path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Shorten(string text) => text.Length > 160 ? text[..160] + $"...({text.Length} chars)" : text;
}
