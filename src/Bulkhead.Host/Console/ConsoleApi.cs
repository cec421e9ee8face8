using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.WebConsole;

/// <summary>
/// The console's only way to tenant data: this server's own HTTP API, called server-side with the token the
/// session holds. Each page is a view of API answers, so validation, paging, limits, audit and isolation
/// have one implementation, and whatever the API (and its leak fuzzer) guarantees holds for the console.
/// </summary>
public sealed class ConsoleApi(IHttpClientFactory clients, ApiAddress address, IHttpContextAccessor accessor, IOptions<JsonOptions> json)
{
    public const string ClientName = "bulkhead-console";

    private JsonSerializerOptions Json => json.Value.SerializerOptions;

    public Task<ApiAnswer<T>> GetAsync<T>(string path, CancellationToken ct) => SendAsync<T>(HttpMethod.Get, path, null, ct);

    public async Task<ApiAnswer<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = await RequestAsync(method, path, body);
        using var response = await Client().SendAsync(request, ct);
        if (response.IsSuccessStatusCode)
        {
            var value = response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(Unit)
                ? (T)(object)Unit.Value
                : await response.Content.ReadFromJsonAsync<T>(Json, ct);
            return new ApiAnswer<T>(response.StatusCode, value, null);
        }

        return new ApiAnswer<T>(response.StatusCode, default, await ProblemAsync(response, ct));
    }

    /// <summary>Starts a call whose answer is relayed as it comes (the chat stream); the caller disposes it.</summary>
    public async Task<HttpResponseMessage> StreamAsync(string path, object body, CancellationToken ct)
    {
        using var request = await RequestAsync(HttpMethod.Post, path, body);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await Client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private HttpClient Client()
    {
        var client = clients.CreateClient(ClientName);
        client.BaseAddress = address.Value;
        return client;
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, object? body)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("A console call outside a request.");
        var token = await http.GetTokenAsync(ConsoleSessions.Scheme, ConsoleSessions.AccessToken)
            ?? throw new InvalidOperationException("A console call without a session.");
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        return request;
    }

    private async Task<ApiProblem> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<ApiProblem>(Json, ct) ?? Fallback(response);
        }
        catch (JsonException)
        {
            return Fallback(response);
        }
    }

    private static ApiProblem Fallback(HttpResponseMessage response) => new(response.ReasonPhrase, null, (int)response.StatusCode, null);
}

/// <summary>The value of an answer that has none (204).</summary>
public sealed record Unit
{
    public static readonly Unit Value = new();
}
