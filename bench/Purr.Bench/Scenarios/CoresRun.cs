using System.Globalization;
using System.Text;

namespace Purr.Bench.Scenarios;

/// <summary>
/// `purr-bench cores`: does capacity grow with the server's cores? Purr and the raw relay each run S1's ladder with the
/// servers pinned to a narrow CPU list (`--server-cpus`) and to a wide one (`--wide-server-cpus`), the load generator on
/// `--bench-cpus`, the pinnings alternating for `--rounds` rounds on fresh processes. Capacity is the most a system
/// delivered per second at any rate of the ladder (the ladder stops one rate past the knee, where the server is
/// saturated); the knee is the highest rate with everything delivered and a p99 under 50 ms. The relay is the control:
/// where its capacity does not grow either, the machine (a load generator sharing the wide list's cores) is what bounds.
/// </summary>
internal static class CoresRun
{
    public const string Name = "S1 cores";

    /// <summary>Where the rows say which pinning measured them.</summary>
    public const string WideKey = "wide_pinning";

    private static readonly int[] Ladder = [5_000, 7_500, 10_000, 12_500, 15_000, 17_500, 20_000, 25_000, 30_000, 40_000, 60_000];

    public static async Task<List<Measurement>> RunAsync(RunSize size, BenchOptions options, string wide, int rounds, Action<Measurement> report)
    {
        var narrow = options.ServerCpus ?? throw new ArgumentException("cores needs --server-cpus (the narrow list)");
        var results = new List<Measurement>();
        var systems = KneeRun.Systems;
        for (var round = 0; round < rounds; round++)
        {
            // Each round turns the order, so neither pinning always follows the other (this machine's speed drifts).
            var pinnings = round % 2 == 0 ? new[] { narrow, wide } : [wide, narrow];
            foreach (var cpus in pinnings)
            {
                BenchOptions.Current = options with { ServerCpus = cpus };
                foreach (var (name, start, clients) in systems)
                {
                    await using var server = await start();
                    foreach (var rate in options.Rates ?? Ladder)
                    {
                        var row = await OneToOneScenario.RunAsync(clients(server), size with { OneToOneRate = rate }, server.CpuTime);
                        row = row with { Scenario = Name, System = string.Create(CultureInfo.InvariantCulture, $"{name} on CPUs {cpus}, round {round + 1}") };
                        row.Values[WideKey] = cpus == wide ? 1 : 0;
                        results.Add(row);
                        report(row);
                        if (!KneeRun.Under(row))
                        {
                            break;
                        }
                    }
                }
            }
        }

        BenchOptions.Current = options;
        return results;
    }

    /// <summary>Capacity and knee of one system under one pinning, medians over the rounds.</summary>
    public static (double Capacity, double Knee, double CoresBusy) Summary(IReadOnlyList<Measurement> results, string system, bool wide)
    {
        var runs = results.Where(r => SystemOf(r) == system && r[WideKey] == (wide ? 1 : 0)).GroupBy(r => r.System).ToList();
        return runs.Count == 0 ? (0, 0, 0) : (
            Medians.Of(runs.Select(run => run.Max(r => r["delivered_per_s"]))),
            Medians.Of(runs.Select(run => KneeRun.KneeOf(run))),
            Medians.Of(runs.Select(run => run.Max(r => r.Values.GetValueOrDefault("server_cores_busy")))));
    }

    public static string Markdown(IReadOnlyList<Measurement> results, string machine, string narrow, string wide, string? bench, DateTime when)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Measured by `purr-bench cores` on {when:yyyy-MM-dd HH:mm} UTC.\n\n{machine}\n* pinning: servers on CPUs {narrow} or on CPUs {wide}, load generator on CPUs {bench ?? "any"}\n\n");
        text.Append("| run | offered | delivered/s | p99 | server CPU per message | server cores busy | generator CPU per message | under 50 ms |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var m in results)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {m.System} | {m["offered_per_s"]:N0}/s | {m["delivered_per_s"]:N0} | {m["p99_ms"]:N1} ms | {m.Values.GetValueOrDefault("server_cpu_us_per_msg"):N0} µs | {m.Values.GetValueOrDefault("server_cores_busy"):N2} | {m.Values.GetValueOrDefault("generator_cpu_us_per_msg"):N0} µs | {(KneeRun.Under(m) ? "yes" : "no")} |\n");
        }

        text.Append('\n');
        foreach (var system in new[] { "Purr", "raw relay" })
        {
            var (capacityNarrow, kneeNarrow, busyNarrow) = Summary(results, system, wide: false);
            var (capacityWide, kneeWide, busyWide) = Summary(results, system, wide: true);
            if (capacityNarrow > 0)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"* **{system}**: capacity {capacityNarrow:N0}/s on CPUs {narrow} and {capacityWide:N0}/s on CPUs {wide}: **{capacityWide / capacityNarrow:F2}x**; knee {kneeNarrow:N0} and {kneeWide:N0}/s; server cores busy at most {busyNarrow:N2} and {busyWide:N2} (medians over the rounds)\n");
            }
        }

        return text.ToString();
    }

    /// <summary>The narrow and the wide CPU list the rows were measured on, if there are rows.</summary>
    public static (string Narrow, string Wide)? Lists(IReadOnlyList<Measurement> results)
    {
        string? ListOf(bool wide) => results.Where(r => r[WideKey] == (wide ? 1 : 0)).Select(CpusOf).FirstOrDefault();
        return ListOf(false) is { } narrow && ListOf(true) is { } wideList ? (narrow, wideList) : null;
    }

    /// <summary>"Purr on CPUs 0-1, round 2" was measured on CPUs 0-1.</summary>
    private static string CpusOf(Measurement row)
    {
        var from = row.System.IndexOf(" on CPUs ", StringComparison.Ordinal) + " on CPUs ".Length;
        return row.System[from..row.System.IndexOf(',', from)];
    }

    /// <summary>"Purr on CPUs 0-1, round 2" is Purr's.</summary>
    private static string SystemOf(Measurement row) => row.System[..row.System.IndexOf(" on CPUs", StringComparison.Ordinal)];
}
