using Bulkhead.Crypto;

namespace Bulkhead.Tests.Support;

/// <summary>The SoftHSM2 token that <c>./bulkhead test</c> initialises for the run (a private SOFTHSM2_CONF).</summary>
public static class TestHsm
{
    public static string Library => Environment.GetEnvironmentVariable("BULKHEAD_TEST_PKCS11_LIBRARY")
        ?? throw new InvalidOperationException("BULKHEAD_TEST_PKCS11_LIBRARY is not set: run the tests with './bulkhead test', which initialises a SoftHSM2 token.");

    public static string Token => Environment.GetEnvironmentVariable("BULKHEAD_TEST_PKCS11_TOKEN") ?? throw new InvalidOperationException("BULKHEAD_TEST_PKCS11_TOKEN is not set.");

    public static string PinFile => Environment.GetEnvironmentVariable("BULKHEAD_TEST_PKCS11_PIN_FILE") ?? throw new InvalidOperationException("BULKHEAD_TEST_PKCS11_PIN_FILE is not set.");

    /// <summary>A provider whose objects carry a label of their own, so tests sharing the token do not meet.</summary>
    public static Pkcs11KeyProvider Provider(string label) => new(Library, Token, File.ReadAllText(PinFile).TrimEnd(), label);

    /// <summary>Server settings that make the token the key provider.</summary>
    public static Dictionary<string, string?> Settings(string label) => new()
    {
        ["Bulkhead:Keys:Provider"] = "pkcs11",
        ["Bulkhead:Keys:Library"] = Library,
        ["Bulkhead:Keys:TokenLabel"] = Token,
        ["Bulkhead:Keys:PinFile"] = PinFile,
        ["Bulkhead:Keys:KeyLabel"] = label,
    };
}
