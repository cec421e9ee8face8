using Bulkhead.Audit;
using Bulkhead.Host.Audit;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Cli;

/// <summary>
/// <c>./bulkhead audit verify [--tenant T] [--max-age 60s]</c>: recomputes every tenant's leaves, block
/// roots and block chain, compares the newest block with the newest signed checkpoint outside the
/// database, and names the tenant and first bad block of a trail that does not check out. Prints how many
/// events are not sealed yet and the sealer's lag (the age of the oldest of them), and how many key events
/// (create, rotate, destroy) each trail holds.
/// </summary>
public static class AuditCommand
{
    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        if (args.Positionals is not ["verify"])
        {
            throw new CliException("usage: ./bulkhead audit verify [--tenant SLUG_OR_ID] [--max-age SECONDS]");
        }

        var options = context.Options.Audit;
        var maxAge = options.MaxCheckpointAge;
        if (args.Get("max-age") is { } age)
        {
            maxAge = double.TryParse(age.TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : throw new CliException("--max-age is a number of seconds.");
        }

        using var key = CheckpointKeyFile.Load(options.SigningKeyPath);
        return await VerifyAsync(
            context.Owners, new TenantCatalog(context.Owner), args.Get("tenant"), new DirectoryCheckpointStore(options.CheckpointPathFor(context.Owner.ConnectionString)), key, maxAge,
            TimeProvider.System, Console.Out, ct);
    }

    /// <returns>0 when every trail checks out and is anchored recently, 1 otherwise.</returns>
    public static async Task<int> VerifyAsync(
        OwnerSources owners, TenantCatalog catalog, string? tenant, ICheckpointStore checkpoints, ICheckpointKey key, TimeSpan maxCheckpointAge,
        TimeProvider time, TextWriter output, CancellationToken ct)
    {
        IReadOnlyList<Tenant> tenants = tenant is null
            ? await catalog.ListAsync(ct)
            : [await catalog.FindAsync(tenant, ct) ?? throw new CliException($"no tenant '{tenant}'")];
        var now = time.GetUtcNow();
        var reports = await AuditVerification.RunAsync(owners, tenants, tenant is null, checkpoints, key, now, maxCheckpointAge, ct);
        foreach (var r in reports)
        {
            var who = $"{r.Slug} ({r.TenantId})";
            var pending = $"{r.Unsealed} event(s) not sealed yet, sealer lag {AuditVerifier.Age(r.SealerLag)}; keys: {r.KeyEventsText}";
            await output.WriteLineAsync(r switch
            {
                { Break: { } b } => $"BROKEN {who}: first bad block {b.Block}: {b.Reason}",
                { Stall: { } s } => $"STALLED {who}: {s}; {pending}",
                _ => $"ok     {who}: {r.SealedEvents} event(s) sealed in {r.Blocks} block(s), segment {r.Segment}; " +
                     (r.Checkpoint is { } c ? $"checkpoint of block {c.Block}, {AuditVerifier.Age(now - c.Time)} old" : "no checkpoint yet") + $"; {pending}",
            });
        }

        var broken = reports.Count(r => r.Break is not null);
        var stalled = reports.Count(r => r.Break is null && r.Stall is not null);
        await output.WriteLineAsync($"audit verify: {reports.Count} tenant(s), {broken} broken, {stalled} stalled");
        return broken + stalled == 0 ? 0 : 1;
    }
}
