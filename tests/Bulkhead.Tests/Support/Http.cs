using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bulkhead.Tests.Support;

/// <summary>Small helpers for talking JSON to the API.</summary>
public static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(object body) => Json(JsonSerializer.Serialize(body));

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
    }

    public static async Task<Guid> CreateConversationAsync(this HttpClient client, string title)
    {
        var response = await client.PostAsync("/api/conversations", Json(new { title }));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync())["id"]!.GetValue<Guid>();
    }

    /// <summary>Follows next_cursor to the end and returns every item.</summary>
    public static async Task<List<JsonNode>> ListAllAsync(this HttpClient client, string path, int limit)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var url = $"{path}{separator}limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await client.GetFromJsonAsync<JsonNode>(url) ?? throw new InvalidOperationException("empty page");
            items.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        return items;
    }
}
