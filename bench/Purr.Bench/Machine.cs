using System.Globalization;
using System.Runtime.InteropServices;

namespace Purr.Bench;

internal static class Machine
{
    public static string Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        var memory = File.Exists("/proc/meminfo")
            ? long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0
            : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"* {Environment.ProcessorCount} cores ({cpu}), {memory:F0} GiB memory\n* {RuntimeInformation.OSDescription}, .NET {Environment.Version}\n* open files limit per process: {FileLimit()}");
    }

    private static string FileLimit()
    {
        try
        {
            return File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3] ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
