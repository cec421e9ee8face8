using System.Runtime.InteropServices;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>Where the figures were measured: they mean little without it.</summary>
/// <param name="LoadAverage">/proc/loadavg when the run started: on a shared machine, other work skews every figure.</param>
public sealed record Machine(string Cpu, int Cores, double MemoryGiB, string Os, string Runtime, string PostgreSql, string Date, string LoadAverage)
{
    public static Machine Describe(string postgres)
    {
        var cpu = "unknown";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }

        return new Machine(cpu, Environment.ProcessorCount, Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, postgres, DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture), ReadLoadAverage());
    }

    public static string ReadLoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
