using System.Globalization;

namespace Purr.Server.Tests.Soak;

/// <summary>What a process holds at one moment, read from /proc: resident memory, descriptors, threads, and the store's files.</summary>
internal sealed record ResourceSample(TimeSpan At, long RssBytes, int Descriptors, int Threads, long StoreBytes)
{
    public static ResourceSample Read(int pid, string dataDirectory, TimeSpan at)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        var descriptors = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        var store = Directory.GetFiles(dataDirectory, "purr.db*").Sum(f => new FileInfo(f).Length);
        return new ResourceSample(at, rss, descriptors, threads, store);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{At.TotalSeconds,6:F0} s  RSS {RssBytes / 1048576.0,6:F1} MiB  fds {Descriptors,4}  threads {Threads,3}  store {StoreBytes / 1024.0,8:F0} KiB");
}
