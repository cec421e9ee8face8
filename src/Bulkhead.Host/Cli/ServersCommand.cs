using Bulkhead.Storage;

namespace Bulkhead.Host.Cli;

public static class ServersCommand
{
    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        var registry = context.Owners.Servers;
        switch (args.Positionals.FirstOrDefault())
        {
            case "add":
                // "--connection -" reads it from stdin, so that the admin password stays out of the process list.
                var required = args.RequireAll("name", "connection");
                var connection = required[1];
                if (connection == "-")
                {
                    connection = (await Console.In.ReadLineAsync(ct))?.Trim() ?? "";
                }

                var server = await registry.AddAsync(required[0], connection, ct);
                Console.WriteLine($"server {server.Name} at {server.Host}:{server.Port} registered; roles bulkhead_owner and bulkhead_app are ready there (no credentials stored)");
                return 0;
            case "list":
                Console.WriteLine($"{"NAME",-16} {"HOST",-24} PORT");
                var primary = context.Credentials.Primary;
                Console.WriteLine($"{primary.Name,-16} {primary.Host,-24} {primary.Port}  (control plane)");
                foreach (var s in await registry.ListAsync(ct))
                {
                    Console.WriteLine($"{s.Name,-16} {s.Host,-24} {s.Port}");
                }

                return 0;
            default:
                throw new CliException("servers needs an action: add --name N --connection CS, or list.");
        }
    }
}
