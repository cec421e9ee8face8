using Bulkhead.Bench.Scale.Run;
using Bulkhead.Bench.Scale.Seed;

namespace Bulkhead.Bench.Scale;

public static class Commands
{
    public const string FullDatabase = "bench";
    public const string QuickDatabase = "bench_quick";

    public static int Usage()
    {
        Console.Error.WriteLine("""
            usage: ./bulkhead bench seed [--tenants 1000] [--conversations 10000000] [--messages-per-conversation 0]
                   ./bulkhead bench run [--quick] [--clients 16] [--seconds S] [--schema-tenants N]
                   ./bulkhead bench move [--rows 200000]   (one tenant of that many rows moved to the schema tier and back)
                   ./bulkhead bench micro [BenchmarkDotNet options, e.g. --filter '*Cursor*']
                   ./bulkhead bench limiter [--seconds 10] ...   (the rate-limiter benchmark)
                   ./bulkhead bench scale [--seconds 30] [--workers 12]   (1, 2 and 3 API nodes through PgBouncer, then a node killed and a tenant moved)
            """);
        return 2;
    }

    public static async Task<int> SeedAsync(Arguments args, CancellationToken ct)
    {
        args.Only("tenants", "conversations", "messages-per-conversation");
        var plan = SeedPlan.Create(args.Int("tenants", 1000), args.Long("conversations", 10_000_000), args.Int("messages-per-conversation", 0));
        var (report, _) = await new SeedLoader(BenchCluster.FromEnvironment(FullDatabase), Console.Error).RunAsync(plan, ct);
        Console.WriteLine($"seeded {report.Tenants:N0} tenants, {report.Users:N0} users, {report.Conversations:N0} conversations, {report.Messages:N0} messages " +
                          $"in {report.Total.TotalSeconds:N0} s (load {report.Load.TotalSeconds:N0} s, keys, indexes and vacuum {report.Indexes.TotalSeconds:N0} s)");
        return 0;
    }

    public static async Task<int> RunAsync(Arguments args, CancellationToken ct)
    {
        args.Only("quick", "clients", "seconds", "schema-tenants");
        var settings = RunSettings.From(args);
        return await new BenchRun(settings, Console.Out, Console.Error).RunAsync(ct);
    }

    public static async Task<int> MoveAsync(Arguments args, CancellationToken ct)
    {
        args.Only("rows");
        foreach (var move in await MoveBench.RunAsync(args.Long("rows", 200_000), Console.Error, ct))
        {
            Console.WriteLine(FormattableString.Invariant(Markdown.MoveLine(move)));
        }

        Console.WriteLine($"load average {Machine.ReadLoadAverage()}");
        return 0;
    }

    public static int Micro(string[] args) => Scale.Micro.MicroBenchmarks.Run(args);
}
