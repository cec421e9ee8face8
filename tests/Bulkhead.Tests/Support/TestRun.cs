namespace Bulkhead.Tests.Support;

/// <summary>Where this test run keeps its files: the directory <c>./bulkhead test</c> makes for the run and removes after it, or the temporary directory.</summary>
public static class TestRun
{
    public static string Directory { get; } = Environment.GetEnvironmentVariable("BULKHEAD_TEST_RUN") is { Length: > 0 } run ? run : Path.GetTempPath();
}
