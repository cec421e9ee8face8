using Bulkhead.Audit;
using Bulkhead.Conversations;
using Bulkhead.Host.Audit;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Audit;

/// <summary>
/// A test database with what a sealer needs around it: its own checkpoint directory and signing key, a
/// sealer as the runtime role, and helpers to write audited events and seal them.
/// </summary>
public sealed class TrailKit : IAsyncDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "bulkhead-trail-" + Guid.NewGuid().ToString("N")[..12]);

    private TrailKit(TestDatabase db)
    {
        Db = db;
        Checkpoints = new DirectoryCheckpointStore(Path.Combine(_home, "checkpoints"));
        Key = CheckpointKeyFile.Load(Path.Combine(_home, "signing-key.pem"));
        Router = db.Router();
        Sealer = new AuditSealer(Router, TimeProvider.System);
    }

    public TestDatabase Db { get; }

    public DirectoryCheckpointStore Checkpoints { get; }

    public CheckpointKeyFile Key { get; }

    public IPlacementRouter Router { get; }

    public AuditSealer Sealer { get; }

    public static async Task<TrailKit> CreateAsync() => new(await TestDatabase.CreateAsync());

    /// <summary>Checkpoint settings for a server that should publish where this kit verifies.</summary>
    public Dictionary<string, string?> ServerSettings() => new()
    {
        ["Bulkhead:Audit:CheckpointDirectory"] = Checkpoints.Directory,
        ["Bulkhead:Audit:SigningKeyFile"] = Path.Combine(_home, "signing-key.pem"),
    };

    public static AuditActor Actor(string sub = "alice") => new(sub, "member", Guid.NewGuid().ToString(), "req-" + sub, "127.0.0.1", "test");

    /// <summary>Writes audited events: one conversation created, then reads of it.</summary>
    public async Task<Guid> WriteEventsAsync(Tenant tenant, int events, string sub = "alice", Guid? conversation = null)
    {
        await using var session = await TenantSession.OpenAsync(tenant.Scope, Router, Actor(sub), CancellationToken.None);
        var store = new ConversationStore(session, TestKeyRing.Keys);
        var viewer = new Viewer(sub, SeesWholeTenant: false);
        var id = conversation ?? (await store.CreateAsync(viewer, "t", CancellationToken.None)).Id;
        for (var i = conversation is null ? 1 : 0; i < events; i++)
        {
            await store.GetAsync(viewer, id, CancellationToken.None);
        }

        return id;
    }

    /// <summary>
    /// Waits until every event of the tenant is below the snapshot horizon (transactions of other tests on
    /// the same cluster can hold it back for a moment; bounded polling), so that one run seals them all.
    /// </summary>
    public async Task WaitForHorizonAsync(Tenant tenant)
    {
        var placement = (await Db.Catalog.FindAsync(tenant.Id, CancellationToken.None))!.Placement;
        var source = await Db.Owners.ForAsync(placement, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await Db.ScalarAsync<bool>(source,
            $"select coalesce(pg_snapshot_xmin(pg_current_snapshot()) > (select max(xid) from {placement.Schema}.audit_events where tenant_id = $1), true)", tenant.Id))
        {
            Assert.True(DateTime.UtcNow < deadline, "the snapshot horizon did not pass the tenant's events within a minute");
            await Task.Delay(20);
        }
    }

    /// <summary>Seals every event of the tenant, in one block when there are fewer than a block holds.</summary>
    public async Task<AuditHead> SealEverythingAsync(Tenant tenant)
    {
        await WaitForHorizonAsync(tenant);
        var scope = (await Db.Catalog.FindAsync(tenant.Id, CancellationToken.None))!.Scope;
        var result = await Sealer.SealAllAsync(scope, CancellationToken.None);
        Assert.True(result.Locked);
        Assert.Equal(0L, (await Sealer.UnsealedAsync(scope, CancellationToken.None)).Count);
        return result.Head;
    }

    /// <summary>Seals everything and publishes a checkpoint of the head, as the sealer service does.</summary>
    public async Task<Checkpoint> SealAndCheckpointAsync(Tenant tenant)
    {
        var head = await SealEverythingAsync(tenant);
        var checkpoint = Checkpoint.Sign(tenant.Id, head, DateTimeOffset.UtcNow, Key);
        await Checkpoints.AppendAsync(checkpoint, CancellationToken.None);
        return checkpoint;
    }

    public Task<(int Code, string Output)> VerifyAsync(string? tenant = null, TimeProvider? time = null) =>
        AuditEvents.VerifyAsync(Db, tenant, Checkpoints, Key, time);

    public async ValueTask DisposeAsync()
    {
        Key.Dispose();
        await Db.DisposeAsync();
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }
}
