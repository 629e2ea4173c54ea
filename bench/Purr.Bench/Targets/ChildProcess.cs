using System.Diagnostics;
using System.Globalization;

namespace Purr.Bench.Targets;

/// <summary>A server under test, run as its own process so its memory can be read from /proc.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;

    private ChildProcess(Process process, string readyLine)
    {
        this.process = process;
        ReadyLine = readyLine;
    }

    public string ReadyLine { get; }

    public int Id => process.Id;

    /// <summary>Starts the program and waits for a line on standard output that starts with <paramref name="readyPrefix"/>.</summary>
    public static async Task<ChildProcess> StartAsync(string fileName, IEnumerable<string> arguments, string readyPrefix, TimeSpan timeout)
    {
        // `--server-cpus`: taskset execs the program, so the pid (for /proc and CPU time) stays the program's.
        var start = BenchOptions.Current.ServerCpus is { } cpus
            ? new ProcessStartInfo("taskset", new List<string> { "-c", cpus, fileName }.Concat(arguments)) { RedirectStandardOutput = true, RedirectStandardError = true }
            : new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (BenchOptions.Current.ServerGc)
        {
            // With DATAS, which .NET 10 turns on with Server GC: heaps added as the load asks for them.
            start.Environment["DOTNET_gcServer"] = "1";
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.StartsWith(readyPrefix, StringComparison.Ordinal))
            {
                _ = DrainAsync(process);
                return new ChildProcess(process, line);
            }
        }

        throw new InvalidOperationException($"{fileName} exited before it was ready");
    }

    /// <summary>CPU time the process has used so far (user and system, all its threads).</summary>
    public TimeSpan CpuTime() => process.HasExited ? TimeSpan.Zero : Process.GetProcessById(process.Id).TotalProcessorTime;

    /// <summary>Resident memory of the process, from /proc/PID/status (VmRSS), in bytes.</summary>
    public long ResidentBytes() => ReadRss(process.Id);

    public static long ReadRss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term!.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    private static async Task DrainAsync(Process process)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
