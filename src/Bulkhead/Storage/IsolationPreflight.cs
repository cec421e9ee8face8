using Bulkhead.Verification;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// What the server checks before it serves: the full catalog lint (<see cref="CatalogLint"/>) of every
/// placement, connected as the runtime role, the same checks as <c>./bulkhead verify</c>.
/// </summary>
public static class IsolationPreflight
{
    /// <returns>Every failed check, in words; empty when the server may serve.</returns>
    public static async Task<IReadOnlyList<string>> RunAsync(NpgsqlDataSource runtime, IPlacementRouter router, CancellationToken ct)
    {
        var report = await new CatalogLint().RunAsync(runtime, router, ct);
        return report.Failures.Select(f => $"{f.Rule}: {f.Object} on {f.Server}/{f.Database}: {f.Detail}").ToList();
    }

    public static Task<IReadOnlyList<string>> RunAsync(NpgsqlDataSource runtime, CancellationToken ct) =>
        RunAsync(runtime, new PrimaryPlacementRouter(runtime), ct);
}
