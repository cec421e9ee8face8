using Bulkhead.Crypto;

namespace Bulkhead.Tests.Crypto;

/// <summary>
/// Several instances (API nodes, the CLI) share one key provider, each with its own cache: keys one of them
/// creates or rotates open everywhere, and two that create a tenant's keys at the same moment agree on them.
/// </summary>
public sealed class SharedKeyProviderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "bulkhead-shared-keys-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void instances_that_create_one_tenants_and_users_keys_at_the_same_moment_open_each_others_values()
    {
        var tenant = Guid.NewGuid();
        var rings = Enumerable.Range(0, 8).Select(_ => new KeyRing(new LocalKeyProvider(_directory))).ToArray();
        using var start = new Barrier(rings.Length);
        var sealedValues = new (SealedField Field, byte[] Value)[rings.Length * 2];
        Parallel.For(0, rings.Length, new ParallelOptions { MaxDegreeOfParallelism = rings.Length }, i =>
        {
            start.SignalAndWait();
            var user = new SealedField("messages", Guid.NewGuid(), "content", "u1");
            var own = new SealedField("tenant_configs", Guid.NewGuid(), "system_prompt", null);
            sealedValues[2 * i] = (user, rings[i].For(tenant).Seal(user, $"user value {i}"));
            sealedValues[(2 * i) + 1] = (own, rings[i].For(tenant).Seal(own, $"tenant value {i}"));
        });

        foreach (var ring in rings)
        {
            for (var v = 0; v < sealedValues.Length; v++)
            {
                Assert.Equal($"{(v % 2 == 0 ? "user" : "tenant")} value {v / 2}", ring.For(tenant).Open(sealedValues[v].Field, sealedValues[v].Value));
            }
        }
    }

    [Fact]
    public void values_sealed_after_another_instance_rotated_the_tenants_keys_open_on_an_instance_that_cached_the_old_ones()
    {
        var tenant = Guid.NewGuid();
        var node = new KeyRing(new LocalKeyProvider(_directory));
        var cli = new KeyRing(new LocalKeyProvider(_directory));
        var before = new SealedField("conversations", Guid.NewGuid(), "title", "alice");
        var sealedBefore = node.For(tenant).Seal(before, "before the rotation");
        var cachedCurrent = node.Tenant(tenant).Current;

        var report = new KeyRotation(cli).Rotate(tenant);
        Assert.NotEqual(cachedCurrent, report.DataKey);

        // The CLI seals under the new tenant key, and a new user's key is wrapped by it.
        var prompt = new SealedField("tenant_configs", Guid.NewGuid(), "system_prompt", null);
        var newUser = new SealedField("conversations", Guid.NewGuid(), "title", "bob");
        var sealedPrompt = cli.For(tenant).Seal(prompt, "sealed under the new key");
        var sealedNewUser = cli.For(tenant).Seal(newUser, "a user who came after");

        Assert.Equal("sealed under the new key", node.For(tenant).Open(prompt, sealedPrompt));
        Assert.Equal("a user who came after", node.For(tenant).Open(newUser, sealedNewUser));
        Assert.Equal("before the rotation", node.For(tenant).Open(before, sealedBefore));
        Assert.Equal(report.DataKey, node.Tenant(tenant).Current);
    }

    [Fact]
    public void of_many_writers_creating_one_file_at_once_exactly_one_wins_and_its_value_stays()
    {
        var path = Path.Combine(_directory, "race", "object");
        using var start = new Barrier(16);
        var won = new bool[16];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            start.SignalAndWait();
            won[i] = PrivateFile.Write(path, [(byte)i], overwrite: false);
        });

        Assert.Equal(1, won.Count(w => w));
        Assert.Equal([(byte)Array.IndexOf(won, true)], File.ReadAllBytes(path));
        Assert.Equal(["object"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
