using Bulkhead.Audit;
using Bulkhead.Crypto;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Cli;

/// <summary>
/// <c>./bulkhead keys rotate [--tenant T]</c>: without --tenant, makes a new KEK current and rotates every
/// tenant's keys under it; with --tenant, rotates that tenant's keys under the current KEK. See
/// <see cref="KeyRotation"/>; then seals the tenant's content stored before encryption and re-seals what an earlier
/// tenant data key sealed (<see cref="ContentSealPass"/>). A pass that stopped is finished by running the command
/// again. Each tenant's rotation is a <c>key.rotate</c> event in its audit trail.
/// </summary>
public static class KeysCommand
{
    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        if (args.Positionals is not ["rotate"])
        {
            throw new CliException("usage: ./bulkhead keys rotate [--tenant SLUG_OR_ID]");
        }

        var provider = context.Keys.Provider;
        var catalog = new TenantCatalog(context.Owner);
        IReadOnlyList<Tenant> tenants;
        if (args.Get("tenant") is { } one)
        {
            tenants = [await catalog.FindAsync(one, ct) ?? throw new CliException($"no tenant '{one}'")];
        }
        else
        {
            Console.WriteLine($"new KEK {provider.CreateKek()} in the {provider.Name} key provider");
            var keyed = provider.Tenants().ToHashSet();
            tenants = (await catalog.ListAsync(ct)).Where(t => keyed.Contains(t.Id)).ToList();
        }

        var rotation = new KeyRotation(context.Keys);
        var sealPass = new ContentSealPass(context.Keys);
        var trails = new OwnerPlacementRouter(context.Owners);
        foreach (var tenant in tenants)
        {
            ct.ThrowIfCancellationRequested();
            if (provider.Read(tenant.Id, KeyNames.Tenant).Count == 0)
            {
                Console.WriteLine($"{tenant.Slug}: no keys yet (they are made with its first content)");
                continue;
            }

            ProgressBar? bar = null;
            var report = await RotateAsync(rotation, trails, tenant, (done, total) => (bar ??= new ProgressBar($"{tenant.Slug} user keys", total)).Advance(), ct);
            Console.WriteLine($"{tenant.Slug}: data key {report.DataKey}{(report.NewDataKey ? " (new)" : " (resumed)")}, under KEK {report.Kek}; {report.Users} user key(s) re-wrapped");
            var content = await sealPass.RunAsync(tenant.Scope, trails, (done, total) => Console.Error.WriteLine($"{tenant.Slug} content: {done}/{total} values sealed"), ct);
            Console.WriteLine($"{tenant.Slug}: {content.Titles} title(s), {content.Messages} message(s) and {content.SystemPrompts} system prompt(s) sealed under the current keys");
        }

        return 0;
    }

    /// <summary>Rotates the tenant's keys and records it as a <c>key.rotate</c> event (the new data key, counting the user keys re-wrapped).</summary>
    public static async Task<RotationReport> RotateAsync(KeyRotation rotation, IPlacementRouter trails, Tenant tenant, Action<int, int>? progress, CancellationToken ct)
    {
        var report = rotation.Rotate(tenant.Id, progress);
        await KeyAudit.RecordAsync(tenant.Scope, trails, AuditActions.KeyRotate, report.DataKey.ToString(), report.Users, ct);
        return report;
    }
}
