using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Bulkhead.Crypto;

/// <summary>
/// A PKCS#11 module is initialised once per process (a second C_Initialize fails, and C_Finalize would end
/// every other user's sessions), so providers share one loaded module per path for the life of the process.
/// This is the one place with process-wide state, because the module itself is process-wide.
/// </summary>
internal static class Pkcs11Modules
{
    private static readonly ConcurrentDictionary<string, Lazy<IPkcs11Library>> Loaded = new(StringComparer.Ordinal);

    // Pkcs11Interop loads modules through dlopen from "libdl", a name only development packages provide on
    // current glibc; the runtime library is libdl.so.2 (or libc itself). Resolved once for its assembly.
    private static readonly Lazy<bool> Resolver = new(() =>
    {
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, assembly, search) =>
            name == "libdl" && OperatingSystem.IsLinux()
                ? NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : NativeLibrary.Load("libc.so.6")
                : IntPtr.Zero);
        return true;
    });

    public static IPkcs11Library Load(Pkcs11InteropFactories factories, string path)
    {
        _ = Resolver.Value;
        return Loaded.GetOrAdd(Path.GetFullPath(path), p => new Lazy<IPkcs11Library>(
            () => factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, p, AppType.MultiThreaded))).Value;
    }
}
