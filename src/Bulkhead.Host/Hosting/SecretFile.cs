using Bulkhead.Crypto;

namespace Bulkhead.Host.Hosting;

/// <summary>A development secret kept in a file readable by its owner only (mode 0600).</summary>
public static class SecretFile
{
    public static byte[] ReadOrCreate(string path, Func<byte[]> create)
    {
        if (!File.Exists(path))
        {
            // Two callers may race to create it: the first one wins and both read its secret.
            PrivateFile.Write(path, create(), overwrite: false);
        }

        return File.ReadAllBytes(path);
    }
}
