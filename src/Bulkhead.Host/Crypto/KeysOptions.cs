namespace Bulkhead.Host.Crypto;

/// <summary>Bulkhead:Keys: where the keys that seal tenant content live (docs/encryption.md).</summary>
public sealed class KeysOptions
{
    public const string Section = "Bulkhead:Keys";

    /// <summary><c>local</c> (key files under <see cref="Path"/>) or <c>pkcs11</c> (an HSM).</summary>
    public string Provider { get; set; } = "local";

    /// <summary>The local provider's directory; default <c>$BULKHEAD_HOME/keys</c>.</summary>
    public string Path { get; set; } = "";

    /// <summary>The PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so.</summary>
    public string Library { get; set; } = "";

    /// <summary>The token's label.</summary>
    public string TokenLabel { get; set; } = "";

    /// <summary>The user PIN; prefer <see cref="PinFile"/> (or the environment variable Bulkhead__Keys__Pin).</summary>
    public string Pin { get; set; } = "";

    /// <summary>A file holding the user PIN (trailing whitespace ignored).</summary>
    public string PinFile { get; set; } = "";

    /// <summary>The prefix of every object's label in the token: KEKs are LABEL-kek-NNNNNN.</summary>
    public string KeyLabel { get; set; } = "bulkhead";

    /// <summary>How many tenants' and users' unwrapped keys are cached, each.</summary>
    public int CacheSize { get; set; } = Bulkhead.Crypto.KeyRing.DefaultCapacity;
}
