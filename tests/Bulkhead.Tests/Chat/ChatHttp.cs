using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using Bulkhead.Chat;
using Bulkhead.Conversations;
using Bulkhead.Crypto;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Chat;

/// <summary>Helpers for the chat tests: configuration, streams read by a real SSE parser, and what the database holds.</summary>
public static class ChatHttp
{
    public static async Task PutConfigAsync(this HttpClient admin, object config)
    {
        var response = await admin.PutAsync("/api/tenant/config", Http.Json(config));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonNode> PostMessageAsync(this HttpClient client, Guid conversation, string content)
    {
        var response = await client.PostAsync($"/api/conversations/{conversation}/messages", Http.Json(new { content }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public static HttpRequestMessage StreamRequest(string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Http.Json(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }

    /// <summary>Reads a whole event stream: each event's type and its data.</summary>
    public static async Task<List<SseItem<string>>> ReadEventsAsync(this HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<SseItem<string>>();
        await using var stream = await response.Content.ReadAsStreamAsync();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            events.Add(item);
        }

        return events;
    }

    /// <summary>The tenant's messages of one conversation as the runtime role sees them: role, status, content (opened with the server's keys).</summary>
    public static async Task<List<(string Role, string Status, string Content)>> StoredMessagesAsync(this RunningServer server, Tenant tenant, Guid conversation)
    {
        await using var session = await TenantSession.OpenAsync(tenant.Scope, server.Services.GetRequiredService<IPlacementRouter>(), CancellationToken.None);
        await using var reader = await session.ReadAsync(CancellationToken.None, Sql.Command(
            "select m.id, m.role, m.status, m.content, u.sub from messages m join conversations c on c.tenant_id = m.tenant_id and c.id = m.conversation_id " +
            "join users u on u.tenant_id = c.tenant_id and u.id = c.user_id " +
            "where m.tenant_id = $1 and m.conversation_id = $2 order by m.id", tenant.Id, conversation));
        var rows = new List<(string, string, string)>();
        var cipher = server.Services.GetRequiredService<KeyRing>().For(tenant.Id);
        while (await reader.ReadAsync())
        {
            var field = ConversationStore.ContentField(reader.GetGuid(0), reader.GetString(4));
            rows.Add((reader.GetString(1), reader.GetString(2), cipher.Open(field, reader.GetFieldValue<byte[]>(3))));
        }

        return rows;
    }

    public static async Task<IReadOnlyList<UsageTotal>> UsageAsync(this RunningServer server, Tenant tenant)
    {
        await using var session = await TenantSession.OpenAsync(tenant.Scope, server.Services.GetRequiredService<IPlacementRouter>(), CancellationToken.None);
        return await new ChatStore(session, TestKeyRing.Keys).UsageAsync(CancellationToken.None);
    }
}
