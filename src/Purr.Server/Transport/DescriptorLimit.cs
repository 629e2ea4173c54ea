using System.Runtime.InteropServices;

namespace Purr.Server.Transport;

/// <summary>
/// The process's open-file limit (RLIMIT_NOFILE, soft). Every socket is a descriptor; accepting past the
/// limit makes accept() and file opens fail all over the process (the runtime then aborts with "Out of
/// memory"), so purrd caps sockets below it: what is open at start (the runtime keeps each loaded assembly
/// open, about 200 descriptors) plus <see cref="Reserved"/> for what opens later and for refused sockets
/// still being closed.
/// </summary>
public static partial class DescriptorLimit
{
    private const int RlimitNofileLinux = 7;
    private const int RlimitNofileBsd = 8;

    /// <summary>Descriptors kept free beyond those open at start: assemblies loaded later, the store's files, refused sockets being closed.</summary>
    public const int Reserved = 256;

    /// <summary>The soft limit, or null where it cannot be read (Windows, or an unexpected libc).</summary>
    public static long? Read()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return null;
        }

        try
        {
            var resource = OperatingSystem.IsLinux() ? RlimitNofileLinux : RlimitNofileBsd;
            return GetRLimit(resource, out var limit) == 0 && limit.Current is > 0 and < long.MaxValue ? (long)limit.Current : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Descriptors this process has open now (Linux), or null where that cannot be read.</summary>
    public static int? OpenNow()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.GetFileSystemEntries("/proc/self/fd").Length : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The most sockets purrd accepts: the configured cap, lowered to stay <paramref name="openAtStart"/> +
    /// <see cref="Reserved"/> below the descriptor limit (at least 1).
    /// </summary>
    public static int SocketCap(int configured, long? descriptorLimit, int openAtStart) =>
        descriptorLimit is { } limit ? (int)Math.Max(1, Math.Min(configured, limit - openAtStart - Reserved)) : configured;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
