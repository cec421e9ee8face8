using Bulkhead.Crypto;
using Bulkhead.Host.Hosting;

namespace Bulkhead.Host.Crypto;

/// <summary>Makes the configured key provider, for the server and the CLI alike; says what is wrong when it cannot.</summary>
public static class KeyProviders
{
    public static IKeyProvider Create(KeysOptions options) => options.Provider switch
    {
        "local" => new LocalKeyProvider(options.Path is { Length: > 0 } path ? path : System.IO.Path.Combine(BulkheadConfiguration.Home, "keys")),
        "pkcs11" => new Pkcs11KeyProvider(
            options.Library is { Length: > 0 } library ? library : throw new InvalidOperationException("Bulkhead:Keys:Library must name the PKCS#11 module when Bulkhead:Keys:Provider is pkcs11."),
            options.TokenLabel is { Length: > 0 } token ? token : throw new InvalidOperationException("Bulkhead:Keys:TokenLabel must name the token when Bulkhead:Keys:Provider is pkcs11."),
            Pin(options),
            options.KeyLabel),
        _ => throw new InvalidOperationException($"Bulkhead:Keys:Provider must be local or pkcs11, not '{options.Provider}'."),
    };

    public static KeysOptions Options(IConfiguration configuration) =>
        configuration.GetSection(KeysOptions.Section).Get<KeysOptions>() ?? new KeysOptions();

    private static string Pin(KeysOptions options) =>
        options.PinFile is { Length: > 0 } file ? File.ReadAllText(file).TrimEnd()
        : options.Pin is { Length: > 0 } pin ? pin
        : throw new InvalidOperationException("Set Bulkhead:Keys:PinFile (a file holding the token's user PIN) or Bulkhead__Keys__Pin.");
}
