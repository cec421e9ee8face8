using Bulkhead.Conversations;
using Bulkhead.Crypto;

namespace Bulkhead.Tests.Crypto;

/// <summary>Rotation re-wraps every key of a tenant under the new KEK and a new tenant key; what was sealed before still opens.</summary>
public sealed class KeyRotationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "bulkhead-rotation-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void after_a_rotation_the_old_kek_can_be_destroyed_and_everything_sealed_before_still_opens()
    {
        var provider = new LocalKeyProvider(_directory);
        var (tenant, row) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var cipher = new KeyRing(provider).For(tenant);
        var aliceTitle = cipher.Seal(ConversationStore.TitleField(row, "alice"), "alice's title");
        var bobMessage = cipher.Seal(ConversationStore.ContentField(row, "bob"), "bob's message");
        var prompt = cipher.Seal(new SealedField("tenant_config", tenant, "system_prompt", null), "the prompt");
        var oldKek = provider.CurrentKek();
        var oldDataKey = new KeyRing(provider).Tenant(tenant).Current;

        var newKek = provider.CreateKek();
        var progress = new List<(int, int)>();
        var report = new KeyRotation(new KeyRing(provider)).Rotate(tenant, (done, total) => progress.Add((done, total)));
        File.Delete(Path.Combine(_directory, "kek", oldKek + ".key"));

        Assert.Equal((newKek, 2, true), (report.Kek, report.Users, report.NewDataKey));
        Assert.Equal([(1, 2), (2, 2)], progress);
        Assert.NotEqual(oldDataKey, report.DataKey);
        Assert.All(KeySet.Merge(provider.Read(tenant, KeyNames.Tenant))!.Keys, k => Assert.Equal(newKek, k.WrappedBy));
        Assert.All(KeySet.Merge(provider.Read(tenant, KeyNames.User("alice")))!.Keys, k => Assert.Equal(report.DataKey.ToString(), k.WrappedBy));
        var fresh = new KeyRing(provider).For(tenant);
        Assert.Equal("alice's title", fresh.Open(ConversationStore.TitleField(row, "alice"), aliceTitle));
        Assert.Equal("bob's message", fresh.Open(ConversationStore.ContentField(row, "bob"), bobMessage));
        Assert.Equal("the prompt", fresh.Open(new SealedField("tenant_config", tenant, "system_prompt", null), prompt));
        // New tenant content is sealed under the new tenant key.
        var sealedNow = fresh.Seal(new SealedField("tenant_config", tenant, "system_prompt", null), "new prompt");
        Assert.Equal(report.DataKey, new Guid(sealedNow.AsSpan(1, 16)));
    }

    [Fact]
    public void a_rotation_run_again_after_it_stopped_finishes_under_the_same_tenant_key()
    {
        var provider = new LocalKeyProvider(_directory);
        var (tenant, row) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var sealedTitle = new KeyRing(provider).For(tenant).Seal(ConversationStore.TitleField(row, "alice"), "kept");
        var rotation = new KeyRotation(new KeyRing(provider));
        var first = rotation.Rotate(tenant);
        // A user whose key is still wrapped by the earlier tenant key, as a pass that stopped leaves it.
        var set = KeySet.Merge(provider.Read(tenant, KeyNames.User("alice")))!;
        var stale = KeySet.Merge(provider.Read(tenant, KeyNames.Tenant))!.Keys.Last(k => k.Purpose == StoredKey.Data).Id;
        var ring = new KeyRing(provider);
        var keys = ring.Tenant(tenant);
        var rewrapped = set.Keys.Select(k => new StoredKey(k.Id, k.Purpose, stale.ToString(),
            AesGcmBox.Seal(keys.Data[stale], KeyRing.Open(keys, KeyNames.User("alice"), k), KeyNames.UserKeyContext(tenant, KeyNames.User("alice"), k.Id)))).ToList();
        provider.Replace(tenant, KeyNames.User("alice"), new KeySet(rewrapped).ToBytes());

        var resumed = rotation.Rotate(tenant);

        Assert.Equal((first.DataKey, false), (resumed.DataKey, resumed.NewDataKey));
        Assert.All(KeySet.Merge(provider.Read(tenant, KeyNames.User("alice")))!.Keys, k => Assert.Equal(first.DataKey.ToString(), k.WrappedBy));
        Assert.Equal("kept", new KeyRing(provider).For(tenant).Open(ConversationStore.TitleField(row, "alice"), sealedTitle));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
