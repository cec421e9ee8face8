using Bulkhead.Host.Cli;
using Bulkhead.Host.Hosting;

// `serve` (or no verb) runs the HTTP server; every other verb is a CLI command.
if (args.Length == 0 || args[0] == "serve")
{
    var port = CliArguments.Parse(args.Skip(1).ToArray()).Get("port") ?? "5080";
    var app = BulkheadApp.Build([], urls: $"http://127.0.0.1:{port}");
    await app.RunAsync();
    return 0;
}

return await Cli.RunAsync(args);
