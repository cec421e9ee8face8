using Bulkhead.Limits;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Limits;

/// <summary>A migrated test database and the limit services on it, as the runtime role uses them (no server).</summary>
public sealed class LimitsDatabase : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public LimitsOptions Options { get; } = new() { LlmQueueTimeout = TimeSpan.FromSeconds(30) };

    public TenantLimitsSource Limits { get; private set; } = null!;

    public TokenQuota Quota { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Limits = new TenantLimitsSource(Database.App, new PlanCatalog(Database.App), Options, TimeProvider.System);
        Quota = new TokenQuota(new PrimaryPlacementRouter(Database.App), Limits, new TenantDirectory(Database.Catalog, TimeProvider.System), TimeProvider.System);
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();
}
