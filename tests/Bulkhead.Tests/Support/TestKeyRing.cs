using Bulkhead.Crypto;

namespace Bulkhead.Tests.Support;

/// <summary>
/// The local key provider of this test run: one directory of key files that every test server
/// (<see cref="RunningServer"/>) also uses, so content a test seeds through a store opens through the API.
/// </summary>
public static class TestKeyRing
{
    public static string Directory { get; } = Path.Combine(TestRun.Directory, $"bulkhead-test-keys-{Environment.ProcessId}");

    public static KeyRing Keys { get; } = new(new LocalKeyProvider(Directory));
}
