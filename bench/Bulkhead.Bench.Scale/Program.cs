using Bulkhead.Bench.Scale;

// ./bulkhead bench seed|run|micro ...: see docs/benchmarks.md. The script starts the PostgreSQL cluster
// and Redis and passes them in the environment (BULKHEAD_BENCH_*).
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return args switch
    {
        ["seed", .. var rest] => await Commands.SeedAsync(new Arguments(rest), cancel.Token),
        ["run", .. var rest] => await Commands.RunAsync(new Arguments(rest), cancel.Token),
        ["move", .. var rest] => await Commands.MoveAsync(new Arguments(rest), cancel.Token),
        ["micro", .. var rest] => Commands.Micro(rest),
        _ => Commands.Usage(),
    };
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"bench: {e.Message}");
    return 2;
}
