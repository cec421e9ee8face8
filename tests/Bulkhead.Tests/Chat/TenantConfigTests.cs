using System.Net;
using System.Text.Json.Nodes;

namespace Bulkhead.Tests.Chat;

/// <summary><c>GET|PUT /api/tenant/config</c>: roles, validation, defaults from the plan, and no stale reads on another instance.</summary>
public sealed class TenantConfigTests(ChatFixture chat) : IClassFixture<ChatFixture>
{
    [Fact]
    public async Task members_get_403_and_admins_read_and_change_the_configuration()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var member = chat.Server.Client(TestKeys.Token(tenant.Id, "mia"));
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));

        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/tenant/config")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PutAsync("/api/tenant/config", Http.Json(new { temperature = 1 }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/tenant/config")).StatusCode);
        Assert.Equal(0.7, (await (await admin.GetAsync("/api/tenant/config")).ReadJsonAsync())["temperature"]!.GetValue<double>(), 3);
    }

    [Fact]
    public async Task defaults_come_from_the_plan()
    {
        var basic = await chat.Database.CreateTenantAsync(plan: "basic");
        var premium = await chat.Database.CreateTenantAsync(plan: "premium");

        var b = await (await chat.Server.Client(TestKeys.Token(basic.Id, "a", "admin")).GetAsync("/api/tenant/config")).ReadJsonAsync();
        var p = await (await chat.Server.Client(TestKeys.Token(premium.Id, "a", "admin")).GetAsync("/api/tenant/config")).ReadJsonAsync();

        Assert.Equal(1024, b["max_tokens"]!.GetValue<int>());
        Assert.Equal(4096, p["max_tokens"]!.GetValue<int>());
        Assert.Equal(30, b["retention_days"]!.GetValue<int>());
        Assert.Equal(365, p["retention_days"]!.GetValue<int>());
        Assert.Equal("offline", b["model"]!.GetValue<string>());
        Assert.Empty(b["overridden"]!.AsArray());
    }

    [Fact]
    public async Task a_put_changes_only_the_fields_it_names_and_null_resets_one_to_the_plan_default()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        await admin.PutConfigAsync(new { temperature = 1.5, system_prompt = "Speak like a pirate.", max_tokens = 300 });

        await admin.PutConfigAsync(new { max_tokens = 200 });
        var config = await (await admin.GetAsync("/api/tenant/config")).ReadJsonAsync();
        Assert.Equal(1.5, config["temperature"]!.GetValue<double>(), 3);
        Assert.Equal("Speak like a pirate.", config["system_prompt"]!.GetValue<string>());
        Assert.Equal(200, config["max_tokens"]!.GetValue<int>());

        await admin.PutAsync("/api/tenant/config", Http.Json("""{"system_prompt": null}"""));
        config = await (await admin.GetAsync("/api/tenant/config")).ReadJsonAsync();
        Assert.Equal("You are a helpful assistant.", config["system_prompt"]!.GetValue<string>());
        Assert.Equal(1.5, config["temperature"]!.GetValue<double>(), 3);
    }

    [Fact]
    public async Task a_rejected_config_change_leaves_an_event_with_its_outcome()
    {
        var tenant = await chat.Database.CreateTenantAsync(plan: "basic");
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));

        var bad = await admin.PutAsync("/api/tenant/config", Http.Json(new { temperature = 9, max_tokens = 0 }));
        var notAnObject = await admin.PutAsync("/api/tenant/config", Http.Json("[1]"));
        await admin.PutConfigAsync(new { temperature = 1 });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (bad.StatusCode, notAnObject.StatusCode));
        var changes = (await Bulkhead.Tests.Audit.AuditEvents.ReadAsync(chat.Database, tenant)).Where(e => e.Action == "config.change").ToList();
        Assert.Equal(
            [(Bulkhead.Audit.AuditOutcome.Rejected, 2L), (Bulkhead.Audit.AuditOutcome.Rejected, 1L), (Bulkhead.Audit.AuditOutcome.Ok, 1L)],
            changes.Select(e => (e.Outcome!.Value, e.ResultCount!.Value)));
        Assert.All(changes, e => Assert.Equal(("ada", "tenant_config"), (e.Sub, e.ResourceType)));
        var stored = await chat.Database.ScalarAsync<Guid>(chat.Database.Owner, "select id from app.tenant_config where tenant_id = $1", tenant.Id);
        Assert.Equal(stored.ToString(), changes[^1].ResourceId);
    }

    [Fact]
    public async Task every_bad_field_is_listed_in_one_400_and_nothing_is_written()
    {
        var tenant = await chat.Database.CreateTenantAsync(plan: "basic");
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        var before = (await (await admin.GetAsync("/api/tenant/config")).ReadJsonAsync()).ToJsonString();

        var response = await admin.PutAsync("/api/tenant/config", Http.Json(new
        {
            temperature = 2.5,
            max_tokens = 1025,
            system_prompt = new string('x', 8001),
            model = "gpt-nonexistent",
            retention_days = 0,
            allowed_models = Array.Empty<string>(),
            tenant_id = Guid.NewGuid(),
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        Assert.Equal(
            ["allowed_models", "max_tokens", "model", "retention_days", "system_prompt", "temperature", "tenant_id"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("1024", errors["max_tokens"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(before, (await (await admin.GetAsync("/api/tenant/config")).ReadJsonAsync()).ToJsonString());
    }

    [Theory]
    [InlineData("""{"temperature": -0.1}""", "temperature")]
    [InlineData("""{"temperature": "hot"}""", "temperature")]
    [InlineData("""{"max_tokens": 0}""", "max_tokens")]
    [InlineData("""{"max_tokens": 1.5}""", "max_tokens")]
    [InlineData("""{"system_prompt": 42}""", "system_prompt")]
    [InlineData("""{"system_prompt": "nul\u0000byte"}""", "system_prompt")]
    [InlineData("""{"model": "fake-ok", "allowed_models": ["offline"]}""", "model")]
    [InlineData("""{"allowed_models": ["fake-ok"]}""", "allowed_models")]
    [InlineData("""{"retention_days": 100000}""", "retention_days")]
    [InlineData("""{"provider_api_key": ""}""", "provider_api_key")]
    public async Task a_bad_field_gets_a_400_naming_it(string body, string field)
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));

        var response = await admin.PutAsync("/api/tenant/config", Http.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        Assert.Equal(field, Assert.Single(errors).Key);
    }

    [Fact]
    public async Task a_change_is_seen_by_the_next_request_on_another_instance()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var adminOnFirst = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));
        using var userOnSecond = chat.Second.Client(TestKeys.Token(tenant.Id, "uma"));
        Assert.Contains("temperature 0.7", await AnswerAsync(userOnSecond), StringComparison.Ordinal);

        for (var round = 1; round <= 3; round++)
        {
            await adminOnFirst.PutConfigAsync(new { temperature = round * 0.5, system_prompt = $"Round {round} prompt." });

            var answer = await AnswerAsync(userOnSecond);

            Assert.Contains($"temperature {(round * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture)}", answer, StringComparison.Ordinal);
            Assert.Contains($"Round {round} prompt.", answer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task the_tenants_own_provider_key_is_never_returned()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));

        var put = await admin.PutAsync("/api/tenant/config", Http.Json(new { provider_api_key = "sk-tenant-secret-123" }));
        var get = await admin.GetAsync("/api/tenant/config");

        foreach (var response in new[] { put, get })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("sk-tenant-secret-123", text, StringComparison.Ordinal);
            Assert.True(JsonNode.Parse(text)!["has_provider_key"]!.GetValue<bool>());
        }
    }

    private static async Task<string> AnswerAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/chat", Http.Json(new { query = "What is my configuration?" }));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync())["answer"]!.GetValue<string>();
    }
}
