using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Host.Cli;

/// <summary>The verbs of <c>./bulkhead</c> that run in .NET.</summary>
public static class Cli
{
    public const string Usage = """
        usage: ./bulkhead VERB [options]

          up [--port 5080]        start PostgreSQL, migrate, seed demo tenants, serve the API
          down                    stop what 'up' started
          test                    run every test against a private PostgreSQL and Redis
          psql [--as owner|app]   psql on the private cluster
          serve [--port 5080]     serve the API (what 'up' runs last)
          migrate [--status] [--parallel N]
                                  apply pending migrations to the control plane, the shared tables and every
                                  tenant schema and database; --status prints each placement's version
          token --tenant SLUG_OR_ID --user SUB [--role member|admin|platform] [--ttl 1h]
                                  print a development JWT
          tenants create --slug S --name N --plan basic|premium|enterprise [--tier pooled|schema|database] [--server N]
          tenants list | show T | suspend T | resume T | delete T
          tenants move T --to pooled|schema|database [--server N]
                                  move a tenant online (T is a slug or an id)
          servers add --name N --connection CS|-   register a PostgreSQL server for the database tier
          servers list
          demo                    create the demo tenants acme and globex (idempotent)
          verify [--json]         lint the live catalog of every placement for isolation; exit 1 naming each failure
          audit verify [--tenant T] [--max-age SECONDS]
                                  check every tenant's sealed audit trail against its signed checkpoints;
                                  exit 1 naming the tenant and first bad block, or a stalled sealer
          keys rotate [--tenant T]
                                  re-wrap every tenant's keys (or T's) under a new KEK and a new tenant key;
                                  run again to finish a rotation that stopped (docs/encryption.md)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is [] or ["--help" or "-h" or "help", ..])
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var verb = args[0];
        var rest = CliArguments.Parse(args.Skip(1).ToArray());
        if (rest.Has("help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        await using var context = new CliContext();
        try
        {
            return verb switch
            {
                "migrate" => await MigrateCommand.RunAsync(context, rest, cancel.Token),
                "token" => await TokenCommand.RunAsync(context, rest, cancel.Token),
                "tenants" => await TenantsCommand.RunAsync(context, rest, cancel.Token),
                "servers" => await ServersCommand.RunAsync(context, rest, cancel.Token),
                "demo" => await DemoCommand.RunAsync(context, cancel.Token),
                "verify" => await VerifyCommand.RunAsync(context, rest, cancel.Token),
                "audit" => await AuditCommand.RunAsync(context, rest, cancel.Token),
                "keys" => await KeysCommand.RunAsync(context, rest, cancel.Token),
                _ => throw new CliException($"unknown verb '{verb}'. Run './bulkhead --help'."),
            };
        }
        catch (Exception e) when (e is CliException or TenantRuleException or Hosting.MissingSettingException)
        {
            await Console.Error.WriteLineAsync($"bulkhead {verb}: {e.Message}");
            return 2;
        }
        catch (NpgsqlException e)
        {
            await Console.Error.WriteLineAsync($"bulkhead {verb}: database error: {e.Message}");
            return 1;
        }
    }
}
