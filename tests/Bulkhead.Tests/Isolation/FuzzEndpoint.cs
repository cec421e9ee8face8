using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Bulkhead.Tests.Isolation;

/// <summary>One HTTP method on one route, with the inputs the fuzzer can fill: route values, query parameters and JSON body fields.</summary>
public sealed record FuzzEndpoint(string Method, string Route, IReadOnlyList<string> RouteValues, IReadOnlyList<FuzzField> Query, IReadOnlyList<FuzzField> Body, bool TakesBody)
{
    public string Name => $"{Method} {Route}";

    /// <summary>
    /// Every endpoint the running server maps, read from ASP.NET Core's own endpoint data source, so that
    /// an endpoint added tomorrow is attacked without an edit here. Query and body inputs come from the
    /// API explorer, body field names from the server's own JSON options (snake_case).
    /// </summary>
    public static (List<FuzzEndpoint> Endpoints, List<string> Excluded) Discover(IServiceProvider services, IReadOnlyDictionary<string, string> exclusions)
    {
        var descriptions = services.GetService<IApiDescriptionGroupCollectionProvider>()?.ApiDescriptionGroups.Items.SelectMany(g => g.Items).ToList() ?? [];
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var endpoints = new List<FuzzEndpoint>();
        var excluded = new List<string>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var route = "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');
            var handler = endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault();
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var name = $"{method} {route}";
                if (exclusions.TryGetValue(name, out var reason))
                {
                    excluded.Add($"{name}: {reason}");
                    continue;
                }

                var description = descriptions.FirstOrDefault(d =>
                    string.Equals(d.HttpMethod, method, StringComparison.OrdinalIgnoreCase)
                    && handler is not null && d.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().Contains(handler));
                var parameters = description?.ParameterDescriptions ?? [];
                var body = parameters.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type;
                endpoints.Add(new FuzzEndpoint(
                    method,
                    route,
                    endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList(),
                    parameters.Where(p => p.Source == BindingSource.Query).Select(p => new FuzzField(p.Name, p.Type ?? typeof(string))).ToList(),
                    body is null ? [] : json.GetTypeInfo(body).Properties.Select(p => new FuzzField(p.Name, p.PropertyType)).ToList(),
                    body is not null || method is "POST" or "PUT" or "PATCH"));
            }
        }

        return (endpoints.OrderBy(e => e.Name, StringComparer.Ordinal).ToList(), excluded);
    }
}

/// <summary>A query parameter or JSON body field and the CLR type it binds to.</summary>
public sealed record FuzzField(string Name, Type Type)
{
    public bool IsText => Underlying == typeof(string) || Underlying == typeof(Guid) || Underlying == typeof(DateTimeOffset) || Underlying.IsEnum;

    public bool IsNumber => Underlying == typeof(int) || Underlying == typeof(long) || Underlying == typeof(double) || Underlying == typeof(decimal);

    public bool IsCursor => Name.Contains("cursor", StringComparison.OrdinalIgnoreCase);

    private Type Underlying => Nullable.GetUnderlyingType(Type) ?? Type;
}
