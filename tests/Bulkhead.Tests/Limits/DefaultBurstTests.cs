using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using Bulkhead.Host.Auth;
using OpenAI;
using OpenAI.Chat;

namespace Bulkhead.Tests.Limits;

/// <summary>
/// "10 chat calls per minute" reads as ten available within the minute: on the default plan a user's
/// quick questions are answered, not refused after the second.
/// </summary>
public sealed class DefaultBurstTests(LimitsFixture api) : IClassFixture<LimitsFixture>
{
    [Fact]
    public async Task an_openai_client_making_four_quick_calls_as_one_user_is_not_limited_on_the_default_plan()
    {
        var tenant = await api.Database.CreateTenantAsync();
        using var admin = api.Server.Client(TestKeys.Token(tenant.Id, "ada", Roles.Admin));
        var created = await admin.PostAsync("/api/tenant/api-keys", Http.Json(new { name = "sdk" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.ReadJsonAsync())["key"]!.GetValue<string>();
        // No retries: a client that retried its 429s would hide them.
        var client = new ChatClient("offline", new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(api.Server.Address, "v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

        var answers = new List<ClientResult<ChatCompletion>>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.CompleteChatAsync([new UserChatMessage($"quick question {i}")]));
        }

        Assert.All(answers, a => Assert.Equal(200, a.GetRawResponse().Status));
        Assert.True(answers[^1].GetRawResponse().Headers.TryGetValue("RateLimit-Policy", out var policy));
        Assert.Equal("\"tenant\";q=100;w=60, \"user\";q=10;w=60", policy);
    }

    [Fact]
    public async Task a_member_asking_ten_quick_questions_is_answered_and_the_eleventh_waits_for_the_refill()
    {
        var tenant = await api.Database.CreateTenantAsync();
        using var member = api.Server.Client(TestKeys.Token(tenant.Id, "123"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await member.PostAsync("/api/chat", Http.Json(new { query = $"question {i}" })).StatusOfAsync());
        }

        using var eleventh = await member.PostAsync("/api/chat", Http.Json(new { query = "one too many" }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, eleventh.StatusCode);
        Assert.Equal("user", (await eleventh.ReadJsonAsync())["policy"]!.GetValue<string>());
        // The burst refills at the plan's rate: one call every 6 s for 10 a minute.
        var retryAfter = int.Parse(eleventh.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 6);
    }
}
