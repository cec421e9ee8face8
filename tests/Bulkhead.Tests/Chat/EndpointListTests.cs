using System.Security.Cryptography;

namespace Bulkhead.Tests.Chat;

/// <summary>Two OpenAI-compatible endpoints side by side: the older single one and an entry of the list.</summary>
public sealed class EndpointListTests(ChatFixture chat) : IClassFixture<ChatFixture>
{
    [Fact]
    public async Task each_model_goes_to_its_own_endpoint_and_a_tenants_key_only_to_an_endpoint_that_takes_tenant_keys()
    {
        await using var server = await RunningServer.StartAsync(chat.Database, new Dictionary<string, string?>
        {
            ["Bulkhead:Chat:OpenAI:BaseUrl"] = chat.Model.BaseUrl,
            ["Bulkhead:Chat:OpenAI:ApiKey"] = "cloud-key",
            ["Bulkhead:Chat:OpenAI:Models:0"] = "fake-ok",
            ["Bulkhead:Chat:OpenAICompatible:0:Name"] = "local",
            ["Bulkhead:Chat:OpenAICompatible:0:BaseUrl"] = chat.Model.BaseUrl,
            ["Bulkhead:Chat:OpenAICompatible:0:ApiKey"] = "local-key",
            ["Bulkhead:Chat:OpenAICompatible:0:TenantKeys"] = "false",
            ["Bulkhead:Chat:OpenAICompatible:0:Models:0"] = "fake-500",
            ["Bulkhead:Chat:ProviderKeySecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        var tenant = await chat.Database.CreateTenantAsync();
        var prompt = $"Two endpoints {Guid.NewGuid()}";
        using var admin = server.Client(TestKeys.Token(tenant.Id, "admin", "admin"));
        await admin.PutConfigAsync(new { model = "fake-ok", system_prompt = prompt, provider_api_key = "sk-tenant-own" });
        using var user = server.Client(TestKeys.Token(tenant.Id, "uma"));
        await user.PostAsync("/api/chat", Http.Json(new { query = "to the cloud" }));
        await admin.PutConfigAsync(new { model = "fake-500" });
        var failed = await user.PostAsync("/api/chat", Http.Json(new { query = "to the local server" }));

        Assert.Equal(System.Net.HttpStatusCode.BadGateway, failed.StatusCode);
        var sent = chat.Model.RequestsWithSystemPrompt(prompt);
        Assert.Equal(("fake-ok", "Bearer sk-tenant-own"), (sent[0].Model, sent[0].Authorization));
        Assert.All(sent.Skip(1), r => Assert.Equal(("fake-500", "Bearer local-key"), (r.Model, r.Authorization)));
    }
}
