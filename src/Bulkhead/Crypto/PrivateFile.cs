using System.Runtime.InteropServices;

namespace Bulkhead.Crypto;

/// <summary>A file that holds a secret, readable and writable by its owner only (mode 0600).</summary>
public static class PrivateFile
{
    private const int AlreadyExists = 17; // EEXIST

    /// <summary>
    /// Writes to a temporary file (unique per call: two writers in one process may race too) and moves it into
    /// place, so a reader never sees half a secret. Without <paramref name="overwrite"/>, when another writer
    /// (a second instance, the CLI) created the file first, theirs stays: the first one wins. On Unix the file
    /// is claimed with link(2), which fails when the name exists: a check before a rename would let two
    /// instances that create a key at once each believe theirs was kept.
    /// </summary>
    /// <returns>Whether this call's value is the one in place.</returns>
    public static bool Write(string path, byte[] value, bool overwrite)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(value);
            stream.Flush(flushToDisk: true);
        }

        if (overwrite || OperatingSystem.IsWindows())
        {
            try
            {
                // Windows refuses to move onto an existing name unless told to overwrite, in one step.
                File.Move(temporary, path, overwrite);
                return true;
            }
            catch (IOException) when (!overwrite && File.Exists(path))
            {
                File.Delete(temporary);
                return false;
            }
        }

        var linked = Link(temporary, path);
        var error = Marshal.GetLastPInvokeError();
        File.Delete(temporary);
        return linked == 0 ? true : error == AlreadyExists ? false : throw new IOException($"Could not create {path} (errno {error}).");
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}
