using Bulkhead.Host.Chat;
using Bulkhead.Host.Chat.Providers;

namespace Bulkhead.Tests.Chat.Engine;

public sealed class EndpointCheckTests
{
    [Fact]
    public void the_older_single_endpoint_and_a_list_serve_side_by_side()
    {
        var chat = new ChatServerOptions
        {
            OpenAI = { BaseUrl = "https://api.openai.com/v1", Models = ["gpt-4o-mini"] },
            OpenAICompatible = [new() { Name = "vllm", BaseUrl = "http://127.0.0.1:8000/v1", Models = ["llama"] }],
        };

        Assert.Empty(EndpointCheck.Problems(chat));
        Assert.Equal(["openai", "vllm"], chat.Endpoints.Select(e => e.Name).ToArray());
        Assert.Equal("vllm", EndpointResilience.EndpointOf(chat.Endpoints, new Uri("http://127.0.0.1:8000/v1/chat/completions"))?.Name);
    }

    [Fact]
    public void a_model_served_by_two_endpoints_and_an_entry_without_a_url_are_refused_by_their_keys()
    {
        var chat = new ChatServerOptions
        {
            OpenAI = { BaseUrl = "https://api.openai.com/v1", Models = ["shared"] },
            OpenAICompatible = [new() { Name = "ollama", BaseUrl = "http://127.0.0.1:11434/v1", Models = ["shared"] }, new() { Name = "broken" }],
        };

        var problems = EndpointCheck.Problems(chat);

        Assert.Contains("The model 'shared' is served by both 'openai' and 'ollama'; list it under one endpoint only.", problems);
        Assert.Contains(problems, p => p.StartsWith("Bulkhead:Chat:OpenAICompatible:1:BaseUrl", StringComparison.Ordinal));
    }
}
