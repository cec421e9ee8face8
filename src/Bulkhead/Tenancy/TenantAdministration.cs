using Bulkhead.Storage;

namespace Bulkhead.Tenancy;

/// <summary>
/// Every change an operator makes to a tenant, for the platform API and the CLI alike: it runs as the owner
/// role, is recorded in <see cref="TenantEvents"/>, and ends by forgetting the tenant in this process's
/// <see cref="TenantDirectory"/>, so that the next request reads the tenant as it is now.
/// </summary>
public sealed class TenantAdministration(OwnerSources owners, TenantProvisioner provisioner, TenantMover mover, TenantDirectory directory)
{
    private readonly TenantCatalog _catalog = new(owners.ControlPlane);

    public Task<Tenant?> FindAsync(string slugOrId, CancellationToken ct) => _catalog.FindAsync(slugOrId, ct);

    public Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken ct) => _catalog.ListAsync(ct);

    /// <summary>Rows per tenant table where the tenant lives (none for a deleted tenant).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(Tenant tenant, CancellationToken ct) =>
        tenant.Status == TenantStatus.Deleted ? new Dictionary<string, long>() : await provisioner.CountAsync(tenant.Id, tenant.Placement, ct);

    public async Task<Tenant> CreateAsync(string slug, string name, string plan, Tier tier, string? server, CancellationToken ct)
    {
        var tenant = await provisioner.CreateAsync(slug, name, plan, tier, server, ct);
        await TenantEvents.RecordAsync(owners.ControlPlane, tenant.Id, TenantEvents.Created, new { plan, tier = TenantCatalog.Lower(tier) }, ct);
        return tenant;
    }

    /// <summary>Changes name and plan where given, then suspends or resumes when asked; null when the tenant does not exist (or no longer can change).</summary>
    public Task<Tenant?> UpdateAsync(Guid id, string? name, string? plan, bool? suspend, CancellationToken ct) =>
        ThenForgetAsync(id, ChangeAsync(id, name, plan, suspend, ct));

    /// <summary>False when the tenant is neither active nor suspended.</summary>
    public Task<bool> SuspendOrResumeAsync(Guid id, bool suspend, CancellationToken ct) => ThenForgetAsync(id, SetSuspendedAsync(id, suspend, ct));

    /// <summary>
    /// Offboards the tenant (resumable: a 'deleting' tenant is finished). Callers pass a token that the
    /// caller's connection cannot cancel. Null when the tenant is unknown or already deleted.
    /// </summary>
    public Task<OffboardingReport?> DeleteAsync(Guid id, CancellationToken ct) => ThenForgetAsync(id, provisioner.DeleteAsync(id, ct));

    /// <summary>Tenants an offboarding left unfinished, for the sweep that finishes them.</summary>
    public Task<IReadOnlyList<Guid>> DeletingAsync(CancellationToken ct) => provisioner.DeletingAsync(ct);

    public Task<MoveReport> MoveAsync(Guid id, Tier tier, string? server, IProgress<string>? progress, CancellationToken ct) =>
        ThenForgetAsync(id, mover.MoveAsync(id, tier, server, progress, ct));

    /// <summary>Whatever the change did (a failure may have changed part of it), this process reads the tenant again next time.</summary>
    private async Task<T> ThenForgetAsync<T>(Guid id, Task<T> change)
    {
        try
        {
            return await change;
        }
        finally
        {
            directory.Forget(id);
        }
    }

    private async Task<Tenant?> ChangeAsync(Guid id, string? name, string? plan, bool? suspend, CancellationToken ct)
    {
        if (!await _catalog.UpdateAsync(id, name, plan, ct))
        {
            return null;
        }

        if (name is not null || plan is not null)
        {
            await TenantEvents.RecordAsync(owners.ControlPlane, id, TenantEvents.Updated, new { renamed = name is not null, plan }, ct);
        }

        return suspend is { } s && !await SetSuspendedAsync(id, s, ct) ? null : await _catalog.FindAsync(id, ct);
    }

    private async Task<bool> SetSuspendedAsync(Guid id, bool suspend, CancellationToken ct)
    {
        if (!await _catalog.SuspendOrResumeAsync(id, suspend, ct))
        {
            return false;
        }

        await TenantEvents.RecordAsync(owners.ControlPlane, id, suspend ? TenantEvents.Suspended : TenantEvents.Resumed, new { }, ct);
        return true;
    }
}
