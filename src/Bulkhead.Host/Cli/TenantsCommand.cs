using System.Text.Json;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Cli;

public static class TenantsCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        var catalog = new TenantCatalog(context.Owner);
        var action = args.Positionals.FirstOrDefault() ?? throw new CliException("tenants needs an action: create, list, show, suspend or resume.");
        switch (action)
        {
            case "create":
                var created = await catalog.CreateAsync(args.Require("slug"), args.Require("name"), args.Get("plan") ?? "basic", ct);
                Console.WriteLine(JsonSerializer.Serialize(Describe(created), Json));
                return 0;
            case "list":
                var tenants = await catalog.ListAsync(ct);
                Console.WriteLine($"{"SLUG",-24} {"ID",-36} {"PLAN",-10} {"STATUS",-9} {"TIER",-8} NAME");
                foreach (var t in tenants)
                {
                    Console.WriteLine($"{t.Slug,-24} {t.Id,-36} {t.Plan,-10} {Lower(t.Status),-9} {Lower(t.Placement.Tier),-8} {t.Name}");
                }

                Console.WriteLine($"{tenants.Count} tenant(s)");
                return 0;
            case "show":
                Console.WriteLine(JsonSerializer.Serialize(Describe(await FindAsync(catalog, args, ct)), Json));
                return 0;
            case "suspend" or "resume":
                var tenant = await FindAsync(catalog, args, ct);
                await catalog.SetStatusAsync(tenant.Id, action == "suspend" ? TenantStatus.Suspended : TenantStatus.Active, ct);
                Console.WriteLine($"{tenant.Slug}: {(action == "suspend" ? "suspended" : "active")}");
                return 0;
            default:
                throw new CliException($"unknown tenants action '{action}'.");
        }
    }

    private static async Task<Tenant> FindAsync(TenantCatalog catalog, CliArguments args, CancellationToken ct)
    {
        var slugOrId = args.Positionals.ElementAtOrDefault(1) ?? throw new CliException("name the tenant by slug or id.");
        return await catalog.FindAsync(slugOrId, ct) ?? throw new CliException($"no tenant '{slugOrId}'.");
    }

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static object Describe(Tenant t) => new
    {
        t.Id,
        t.Slug,
        t.Name,
        t.Plan,
        Status = Lower(t.Status),
        Tier = Lower(t.Placement.Tier),
        t.Placement.Server,
        t.Placement.Schema,
        t.CreatedAt,
    };
}
