using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat.Providers;

/// <summary>
/// Refuses to start with an endpoint list that cannot be routed: an entry without a name or base URL, two
/// entries of one name, or a model served by two endpoints (which one would answer would be a guess).
/// </summary>
public sealed class EndpointCheck : IValidateOptions<BulkheadOptions>
{
    public ValidateOptionsResult Validate(string? name, BulkheadOptions options) =>
        Problems(options.Chat) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    public static List<string> Problems(ChatServerOptions chat)
    {
        var problems = new List<string>();
        for (var i = 0; i < chat.OpenAICompatible.Count; i++)
        {
            var endpoint = chat.OpenAICompatible[i];
            if (string.IsNullOrWhiteSpace(endpoint.Name))
            {
                problems.Add($"Bulkhead:Chat:OpenAICompatible:{i}:Name must name the endpoint (for example \"vllm\").");
            }

            if (!Uri.TryCreate(endpoint.BaseUrl, UriKind.Absolute, out _))
            {
                problems.Add($"Bulkhead:Chat:OpenAICompatible:{i}:BaseUrl must be the endpoint's absolute URL (for example http://127.0.0.1:8000/v1).");
            }
        }

        var endpoints = chat.Endpoints;
        problems.AddRange(endpoints.GroupBy(e => e.Name, StringComparer.Ordinal).Where(g => g.Key.Length > 0 && g.Count() > 1)
            .Select(g => $"Two OpenAI-compatible endpoints are named '{g.Key}'; each entry of Bulkhead:Chat:OpenAICompatible needs its own Name."));
        var served = new Dictionary<string, string>(StringComparer.Ordinal) { [OfflineChatClient.ModelName] = "the built-in model" };
        foreach (var endpoint in endpoints)
        {
            foreach (var model in endpoint.Models)
            {
                if (!served.TryAdd(model, endpoint.Name))
                {
                    problems.Add($"The model '{model}' is served by both '{served[model]}' and '{endpoint.Name}'; list it under one endpoint only.");
                }
            }
        }

        return problems;
    }
}
