using Bulkhead.Storage;

namespace Bulkhead.Host.Cli;

public static class MigrateCommand
{
    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        var migrator = new PlacementMigrator(context.Owners);
        if (args.Has("status"))
        {
            var latest = new Dictionary<MigrationSet, int>
            {
                [MigrationSet.Control] = Migrator.LatestVersion(MigrationSet.Control),
                [MigrationSet.Tenant] = Migrator.LatestVersion(MigrationSet.Tenant),
            };
            Console.WriteLine($"{"PLACEMENT",-36} {"TIER",-8} {"SERVER",-12} {"DATABASE",-44} {"SCHEMA",-34} VERSION");
            foreach (var s in await migrator.StatusAsync(ct))
            {
                var state = s.Error is not null ? $"unreachable: {s.Error}"
                    : s.Version == latest[s.Placement.Set] ? $"{s.Version} (current)" : $"{s.Version} ({latest[s.Placement.Set] - s.Version} pending)";
                Console.WriteLine($"{s.Placement.Label,-36} {s.Placement.Tier,-8} {s.Placement.Server,-12} {s.Placement.Database ?? "(control plane)",-44} {s.Placement.Schema,-34} {state}");
            }

            return 0;
        }

        var parallel = int.TryParse(args.Get("parallel"), out var p) && p > 0 ? p : 4;
        var total = (await migrator.ListAsync(ct)).Count;
        var bar = new ProgressBar("migrating", Math.Max(total, 1));
        var outcomes = await migrator.MigrateAsync(parallel, new SynchronousProgress<MigrationOutcome>(o =>
            bar.Advance(o.Error is null ? null : $"FAILED {o.Placement.Label}: {o.Error}")), ct);
        var failed = outcomes.Where(o => o.Error is not null).ToList();
        var applied = outcomes.Sum(o => o.Applied);
        Console.WriteLine($"{outcomes.Count} placement(s) checked, {applied} migration(s) applied, {failed.Count} failed");
        foreach (var f in failed)
        {
            Console.WriteLine($"  failed: {f.Placement.Label} ({f.Placement.Tier}, {f.Placement.Server}/{f.Placement.Database ?? "control plane"}, schema {f.Placement.Schema}) at version {f.Version}: {f.Error}");
        }

        if (failed.Count > 0)
        {
            Console.WriteLine("Fix the cause and run './bulkhead migrate' again: it resumes where each placement stopped.");
        }

        return failed.Count == 0 ? 0 : 1;
    }
}

/// <summary>An IProgress that reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and lose ordering).</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
