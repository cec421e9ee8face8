namespace Bulkhead.Tests.Storage;

/// <summary>A migrated database of its own, without a server.</summary>
public sealed class StorageFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync() => Database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await Database.DisposeAsync();
}
