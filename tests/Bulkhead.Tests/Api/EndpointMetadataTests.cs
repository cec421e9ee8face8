using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Chat;
using Bulkhead.Host.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulkhead.Tests.Api;

/// <summary>What routes mean is endpoint metadata, read from the running server's endpoints, never parsed from route text.</summary>
public sealed class EndpointMetadataTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string[] TenantPolicies = [Policies.Tenant, Policies.TenantAdmin, ApiKeyAuthentication.Policy];

    [Fact]
    public void every_tenant_endpoint_names_its_resource_for_the_audit_trail()
    {
        var tenantEndpoints = Endpoints().Where(e => e.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => TenantPolicies.Contains(a.Policy))).ToList();

        Assert.NotEmpty(tenantEndpoints);
        Assert.All(tenantEndpoints, e => Assert.True(e.Endpoint.Metadata.GetMetadata<EndpointResource>() is not null, $"{e.Name} has no EndpointResource"));
    }

    [Fact]
    public void exactly_the_three_chat_endpoints_count_against_the_per_user_chat_limit()
    {
        var chat = Endpoints().Where(e => e.Endpoint.Metadata.GetMetadata<UserChatLimitAttribute>() is not null).Select(e => e.Name).Order(StringComparer.Ordinal);

        Assert.Equal(["POST /api/chat", "POST /api/conversations/{id}/messages", "POST /v1/chat/completions"], chat);
    }

    [Theory]
    [InlineData("GET /api/conversations/{id}", "conversations", "conversation")]
    [InlineData("POST /api/conversations/{id}/messages", "messages", "conversation")]
    [InlineData("GET /api/tenant/users/{id}/export", "export", "user")]
    [InlineData("DELETE /api/tenant/users/{id}", "users", "user")]
    [InlineData("GET /api/tenant/usage", "usage", null)]
    [InlineData("DELETE /api/tenant/api-keys/{id}", "api-keys", null)]
    [InlineData("GET /api/admin/tenants/{id}/audit", "audit", null)]
    public void an_endpoint_says_what_it_works_on_and_which_ids_a_404_may_probe(string name, string type, string? probed)
    {
        var endpoint = Assert.Single(Endpoints(), e => e.Name == name).Endpoint;

        Assert.Equal(new EndpointResource(type, probed), endpoint.Metadata.GetMetadata<EndpointResource>());
    }

    private IEnumerable<(string Name, RouteEndpoint Endpoint)> Endpoints() =>
        api.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => ($"{m} /{(e.RoutePattern.RawText ?? "").Trim('/')}", e)));
}
