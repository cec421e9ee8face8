using Bulkhead.Storage;
using Bulkhead.Verification;

namespace Bulkhead.Host.Cli;

/// <summary>
/// <c>./bulkhead verify [--json]</c>: the catalog lint of every placement, connected as the runtime role,
/// printed as a dated report. Exit 0 when every rule passes, 1 when any fails (the failures are named).
/// </summary>
public static class VerifyCommand
{
    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        // As the runtime role, so that its own privileges are what gets checked; through the server's
        // router, so that every placement the server can reach (database tier included) is inspected.
        var report = await new CatalogLint().RunAsync(context.Runtime, context.Get<IPlacementRouter>(), ct);
        Console.Write(args.Has("json") ? report.ToJson() + Environment.NewLine : report.ToText());
        return report.Passed ? 0 : 1;
    }
}
