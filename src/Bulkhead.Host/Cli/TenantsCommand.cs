using Bulkhead.Host.Api;
using System.Text.Json;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Cli;

public static class TenantsCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        var administration = context.Administration;
        var action = args.Positionals.FirstOrDefault() ?? throw new CliException("tenants needs an action: create, list, show, suspend, resume, delete or move.");
        switch (action)
        {
            case "create":
                var required = args.RequireAll("slug", "name");
                var created = await administration.CreateAsync(
                    required[0], required[1], args.Get("plan") ?? "basic", ParseTier(args.Get("tier") ?? "pooled"), args.Get("server"), ct);
                Console.WriteLine(JsonSerializer.Serialize(TenantResponse.From(created), Json));
                return 0;
            case "list":
                var tenants = await administration.ListAsync(ct);
                Console.WriteLine($"{"SLUG",-24} {"ID",-36} {"PLAN",-10} {"STATUS",-12} {"TIER",-8} {"SERVER",-10} {"ROWS",8}  NAME");
                foreach (var t in tenants)
                {
                    var rows = (await administration.CountAsync(t, ct)).Values.Sum();
                    Console.WriteLine($"{t.Slug,-24} {t.Id,-36} {t.Plan,-10} {TenantCatalog.Lower(t.Status),-12} {TenantCatalog.Lower(t.Placement.Tier),-8} {t.Placement.Server,-10} {rows,8}  {t.Name}");
                }

                Console.WriteLine($"{tenants.Count} tenant(s)");
                return 0;
            case "show":
                var shown = await FindAsync(administration, args, ct);
                var counts = await administration.CountAsync(shown, ct);
                Console.WriteLine(JsonSerializer.Serialize(new { tenant = TenantResponse.From(shown), rows = counts }, Json));
                return 0;
            case "suspend" or "resume":
                var tenant = await FindAsync(administration, args, ct);
                if (!await administration.SuspendOrResumeAsync(tenant.Id, action == "suspend", ct))
                {
                    throw new CliException($"{tenant.Slug} is {TenantCatalog.Lower(tenant.Status)}; only active or suspended tenants are suspended or resumed.");
                }

                Console.WriteLine($"{tenant.Slug}: {(action == "suspend" ? "suspended (its tokens now get 403)" : "active")}");
                return 0;
            case "delete":
                // A 'deleting' tenant is offboarded again: the command finishes what an earlier run left.
                var doomed = await FindAsync(administration, args, ct);
                var report = await administration.DeleteAsync(doomed.Id, ct) ?? throw new CliException($"{doomed.Slug} was already deleted.");
                Console.WriteLine($"deleted {report.Slug} ({report.TenantId}, {report.Tier} tier)");
                Console.WriteLine($"  {"TABLE",-24} {"BEFORE",10} {"AFTER",10}");
                foreach (var (table, before) in report.Before)
                {
                    Console.WriteLine($"  {table,-24} {before,10} {report.After.GetValueOrDefault(table),10}");
                }

                Console.WriteLine("  the control plane keeps a record of the deletion (control.tenant_events)");
                return 0;
            case "move":
                var moving = await FindAsync(administration, args, ct);
                var tier = ParseTier(args.Require("to"));
                var started = DateTimeOffset.UtcNow;
                var moved = await administration.MoveAsync(
                    moving.Id, tier, args.Get("server"), new SynchronousProgress<string>(m => Console.Error.WriteLine($"[{DateTimeOffset.UtcNow - started:mm\\:ss\\.f}] {m}")), ct);
                Console.WriteLine($"moved {moved.Slug} from {moved.From} to {moved.To}");
                foreach (var (table, rows) in moved.Rows)
                {
                    Console.WriteLine($"  {table,-24} {rows,10} rows, verified by count and checksum");
                }

                Console.WriteLine($"  bulk copy {moved.CopyTime.TotalSeconds:0.0}s ({moved.RowsPerSecond:0} rows/s); writes paused {moved.WritesBlocked.TotalSeconds:0.0}s; {moved.RowsSyncedDuringSwitch} rows caught up at the switch; total {moved.Total.TotalSeconds:0.0}s");
                return 0;
            default:
                throw new CliException($"unknown tenants action '{action}'.");
        }
    }

    private static Tier ParseTier(string text) => Tiers.TryParse(text, out var tier)
        ? tier
        : throw new CliException($"tier must be pooled, schema or database, not '{text}'.");

    private static async Task<Tenant> FindAsync(TenantAdministration administration, CliArguments args, CancellationToken ct)
    {
        var slugOrId = args.Positionals.ElementAtOrDefault(1) ?? throw new CliException("name the tenant by slug or id.");
        return await administration.FindAsync(slugOrId, ct) ?? throw new CliException($"no tenant '{slugOrId}'.");
    }
}
