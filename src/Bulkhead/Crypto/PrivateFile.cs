namespace Bulkhead.Crypto;

/// <summary>A file that holds a secret, readable and writable by its owner only (mode 0600).</summary>
public static class PrivateFile
{
    /// <summary>
    /// Writes to a temporary file (unique per call: two writers in one process may race too) and moves it into
    /// place, so a reader never sees half a secret. Without <paramref name="overwrite"/>, when another writer
    /// (a second instance, the CLI) created the file first, theirs stays: the first one wins.
    /// </summary>
    public static void Write(string path, byte[] value, bool overwrite)
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
        }

        try
        {
            File.Move(temporary, path, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            File.Delete(temporary);
        }
    }
}
