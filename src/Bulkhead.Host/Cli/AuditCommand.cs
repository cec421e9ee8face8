using Bulkhead.Audit;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Cli;

/// <summary>
/// <c>./bulkhead audit verify [--tenant T]</c>: recomputes each tenant's audit hash chain and names the
/// first event that does not check out. Prints each tenant's head (event count and last hash): keep it
/// somewhere else, because an insider who deletes the newest events leaves a chain that is intact but
/// shorter, and only a head recorded earlier shows that.
/// </summary>
public static class AuditCommand
{
    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        if (args.Positionals is not ["verify"])
        {
            throw new CliException("usage: ./bulkhead audit verify [--tenant SLUG_OR_ID]");
        }

        return await VerifyAsync(context.Owners, new TenantCatalog(context.Owner), args.Get("tenant"), Console.Out, ct);
    }

    /// <returns>0 when every chain is intact, 1 when any is broken.</returns>
    public static async Task<int> VerifyAsync(OwnerSources owners, TenantCatalog catalog, string? tenant, TextWriter output, CancellationToken ct)
    {
        IReadOnlyList<Tenant> tenants = tenant is null
            ? await catalog.ListAsync(ct)
            : [await catalog.FindAsync(tenant, ct) ?? throw new CliException($"no tenant '{tenant}'")];
        var reports = await AuditVerification.RunAsync(owners, tenants, ct);
        foreach (var report in reports)
        {
            var head = report.Head is null ? "none" : Convert.ToHexStringLower(report.Head);
            await output.WriteLineAsync(report.Break is { } b
                ? $"BROKEN {report.Slug} ({report.TenantId}): first bad event seq {b.Seq} (id {b.EventId}): {b.Reason}"
                : $"ok     {report.Slug} ({report.TenantId}): {report.Events} events, head {head}");
        }

        var broken = reports.Count(r => !r.Intact);
        await output.WriteLineAsync($"audit verify: {reports.Count} tenant(s), {broken} broken chain(s)");
        return broken == 0 ? 0 : 1;
    }
}
