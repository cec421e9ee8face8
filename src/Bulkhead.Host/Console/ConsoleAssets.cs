using System.Collections.Frozen;
using System.Reflection;

namespace Bulkhead.Host.WebConsole;

/// <summary>The console's own script and style sheet, embedded in the assembly and served from <c>/console/assets</c>.</summary>
public static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type)> Files = Load();

    public static IEndpointRouteBuilder MapConsoleAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/console/assets/{name}", (string name, HttpResponse response) =>
        {
            if (!Files.TryGetValue(name, out var file))
            {
                return Results.NotFound();
            }

            response.Headers.CacheControl = "no-cache";
            return Results.Bytes(file.Bytes, file.Type);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console-assets/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource["console-assets/".Length..];
            files[name] = (copy.ToArray(), name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
