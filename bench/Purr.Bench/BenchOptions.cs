using System.Globalization;

namespace Purr.Bench;

/// <summary>
/// The command line's tuning flags: `--rates 5000,10000` (S1 offered rates), `--clients N`, `--seconds N` (S1
/// duration per rate), `--warm-up N` (seconds S1 sends before it measures; 0 for none), `--server-cpus 0-1` and `--bench-cpus 2-15` (taskset-style CPU lists: the servers under test
/// run pinned to the first, this load generator to the second, so they stop competing for cores), and for
/// `purr-bench cores` `--wide-server-cpus 0-3` and `--rounds N`; `--server-gc` runs the servers with Server GC.
/// </summary>
internal sealed record BenchOptions(int[]? Rates, int? Clients, TimeSpan? Duration, string? ServerCpus, string? BenchCpus)
{
    /// <summary>`--warm-up N`: S1's warm-up in seconds, when given.</summary>
    public TimeSpan? WarmUp { get; init; }

    /// <summary>`--wide-server-cpus 0-3`: `purr-bench cores`' second pinning of the servers (`--server-cpus` is the first).</summary>
    public string? WideServerCpus { get; init; }

    /// <summary>`--rounds N`: how often `purr-bench cores` alternates its two pinnings.</summary>
    public int? Rounds { get; init; }

    /// <summary>`--server-gc`: purrd and the relay run with Server GC (DOTNET_gcServer=1) instead of workstation GC.</summary>
    public bool ServerGc { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        int? Number(string name) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

        var rates = Value("--rates")?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        var serverCpus = Value("--server-cpus");
        var benchCpus = Value("--bench-cpus");
        var wideServerCpus = Value("--wide-server-cpus");
        foreach (var list in new[] { serverCpus, benchCpus, wideServerCpus })
        {
            if (list is not null)
            {
                _ = CpuList.Mask(list);
            }
        }

        return new BenchOptions(rates, Number("--clients"), Number("--seconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null, serverCpus, benchCpus)
        {
            WarmUp = Number("--warm-up") is { } warmUp ? TimeSpan.FromSeconds(warmUp) : null,
            WideServerCpus = wideServerCpus,
            Rounds = Number("--rounds"),
            ServerGc = args.Contains("--server-gc"),
        };
    }

    /// <summary>The run size with the S1 flags applied.</summary>
    public Scenarios.RunSize Apply(Scenarios.RunSize size) => size with
    {
        OneToOneClients = Clients ?? size.OneToOneClients,
        OneToOneDuration = Duration ?? size.OneToOneDuration,
        OneToOneWarmUp = WarmUp ?? size.OneToOneWarmUp,
    };

    /// <summary>Pins this process (the load generator) when `--bench-cpus` says so; .NET then sizes its thread pool to it.</summary>
    public void PinThisProcess()
    {
        // The bench runs on Linux only (it reads /proc), where affinity is supported.
        if (BenchCpus is { } cpus && OperatingSystem.IsLinux())
        {
            System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity = (nint)CpuList.Mask(cpus);
        }
    }

    /// <summary>Process-wide, so every server the launcher starts is pinned alike.</summary>
    public static BenchOptions Current { get; set; } = new(null, null, null, null, null);
}

/// <summary>taskset's CPU list syntax: "0-1", "2,4-7".</summary>
internal static class CpuList
{
    public static long Mask(string list)
    {
        long mask = 0;
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            var first = int.Parse(range[0], CultureInfo.InvariantCulture);
            var last = range.Length == 2 ? int.Parse(range[1], CultureInfo.InvariantCulture) : first;
            if (range.Length > 2 || first < 0 || last < first || last > 62)
            {
                throw new FormatException($"'{list}' is not a CPU list such as 0-1 or 2,4-7");
            }

            for (var cpu = first; cpu <= last; cpu++)
            {
                mask |= 1L << cpu;
            }
        }

        return mask == 0 ? throw new FormatException($"'{list}' names no CPU") : mask;
    }

    public static int Count(string list) => long.PopCount(Mask(list)) is var n ? (int)n : 0;
}
