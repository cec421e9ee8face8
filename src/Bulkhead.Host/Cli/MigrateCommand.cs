using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Cli;

public static class MigrateCommand
{
    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        var migrator = new Migrator(context.Owner);
        var control = await migrator.MigrateAsync(MigrationSet.Control, Migrator.ControlSchema, ct);
        Console.WriteLine($"control plane: {control} applied, at version {await migrator.CurrentVersionAsync(Migrator.ControlSchema, ct)}");
        var shared = await migrator.MigrateAsync(MigrationSet.Tenant, Placement.SharedSchema, ct);
        Console.WriteLine($"shared tables ({Placement.SharedSchema}): {shared} applied, at version {await migrator.CurrentVersionAsync(Placement.SharedSchema, ct)}");
        return 0;
    }
}
