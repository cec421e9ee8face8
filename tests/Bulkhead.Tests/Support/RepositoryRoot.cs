namespace Bulkhead.Tests.Support;

/// <summary>The checkout the tests were built from: the directory above the test binaries that holds <c>./bulkhead</c>.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>The server that <c>./bulkhead up</c> runs, built by <c>./bulkhead test</c> with the rest of the solution.</summary>
    public static string HostDll => System.IO.Path.Combine(Path, "src", "Bulkhead.Host", "bin", "Release", "net10.0", "Bulkhead.Host.dll");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "bulkhead")) && File.Exists(System.IO.Path.Combine(dir.FullName, "Bulkhead.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (with ./bulkhead) was not found above " + AppContext.BaseDirectory);
    }
}
