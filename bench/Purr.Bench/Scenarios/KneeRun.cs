using System.Globalization;
using System.Text;
using Purr.Bench.Clients;
using Purr.Bench.Targets;

namespace Purr.Bench.Scenarios;

/// <summary>
/// `purr-bench knee`: for Purr and the raw relay in one run, S1 at rising offered rates until the p99 passes 50 ms
/// (or messages go missing): the knee is the highest rate that stayed under. Every row says the server's CPU
/// microseconds per delivered message, so the two can be compared per message as well as per second.
/// </summary>
internal static class KneeRun
{
    public const double P99LimitMs = 50;

    /// <summary>Marks the rows measured at a quarter of Purr's knee (not part of the ladder).</summary>
    public const string QuarterKey = "quarter_of_purr_knee";

    /// <summary>The scenario name of the knee's rows in results.json and BENCHMARKS.md.</summary>
    public const string Name = "S1 knee";

    /// <summary>Purr and the raw relay, each started fresh: the two systems the knee and `purr-bench cores` compare.</summary>
    public static readonly (string Name, Func<Task<ServerUnderTest>> Start, Func<ServerUnderTest, IChatSystem> Clients)[] Systems =
    [
        ("Purr", () => Launcher.PurrdAsync(), server => new PurrSystem(server.PurrAddress!)),
        ("raw relay", Launcher.RelayAsync, server => new RelaySystem(server.Host, server.Port)),
    ];

    private static readonly int[] Ladder = [1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 40_000, 60_000, 80_000];

    public static async Task<List<Measurement>> RunAsync(RunSize size, int[]? rates, Action<Measurement> report)
    {
        var results = new List<Measurement>();
        var systems = Systems;
        foreach (var (_, start, clients) in systems)
        {
            await using var server = await start();
            foreach (var rate in rates ?? Ladder)
            {
                var row = await OneToOneScenario.RunAsync(clients(server), size with { OneToOneRate = rate }, server.CpuTime);
                results.Add(row);
                report(row);
                if (!Under(row))
                {
                    break;
                }
            }
        }

        // Latency well below capacity: every system at a quarter of Purr's knee (the first system is Purr), each on a
        // fresh process. A ladder leaves a server pushed past its capacity, and Purr with a thousand mailboxes per rate
        // still in its store (they outlive their clients, as mailboxes do): measured there, Purr's p99 at a quarter was
        // about twice a fresh process's.
        if (QuarterOf(KneeOf(results.Where(r => r.System == systems[0].Name))) is { } quarter)
        {
            foreach (var (_, start, clients) in systems)
            {
                await using var server = await start();
                var light = await OneToOneScenario.RunAsync(clients(server), size with { OneToOneRate = quarter }, server.CpuTime);
                light.Values[QuarterKey] = 1;
                results.Add(light);
                report(light);
            }
        }

        return results;
    }

    public static bool IsQuarter(Measurement row) => row.Values.ContainsKey(QuarterKey);

    /// <summary>The highest ladder rate a system kept up with, 0 if none.</summary>
    public static double KneeOf(IEnumerable<Measurement> rows) =>
        rows.Where(r => !IsQuarter(r) && Under(r)).Select(r => r["offered_per_s"]).DefaultIfEmpty(0).Max();

    /// <summary>A quarter of a knee, rounded to 100 messages/s; none below 100.</summary>
    private static int? QuarterOf(double knee) => knee >= 400 ? (int)(Math.Round(knee / 4 / 100) * 100) : null;

    /// <summary>A rate the system kept up with: everything delivered, nothing refused, p99 under the limit.</summary>
    public static bool Under(Measurement row) =>
        row["failed"] == 0 && row["delivered"] >= row["sent"] && row["p99_ms"] <= P99LimitMs;

    public static string Markdown(IReadOnlyList<Measurement> results, string machine, string pinning, DateTime when)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured by `purr-bench knee` on {when:yyyy-MM-dd HH:mm} UTC.\n\n{machine}\n* pinning: {pinning}\n\n");
        text.Append("| system | offered | delivered/s | p50 | p99 | server CPU per message | server cores busy | generator CPU per message | under 50 ms |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var m in results.Where(r => !IsQuarter(r)))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {m.System} | {m["offered_per_s"]:N0}/s | {m["delivered_per_s"]:N0} | {m["p50_ms"]:N1} ms | {m["p99_ms"]:N1} ms | {m["server_cpu_us_per_msg"]:N0} µs | {m.Values.GetValueOrDefault("server_cores_busy"):N2} | {m.Values.GetValueOrDefault("generator_cpu_us_per_msg"):N0} µs | {(Under(m) ? "yes" : "no")} |\n");
        }

        text.Append('\n');
        foreach (var system in results.Select(r => r.System).Distinct())
        {
            var knee = KneeOf(results.Where(r => r.System == system));
            text.Append(knee > 0
                ? string.Create(CultureInfo.InvariantCulture, $"* **{system}**: knee {knee:N0} msg/s (p99 ≤ {P99LimitMs} ms)\n")
                : string.Create(CultureInfo.InvariantCulture, $"* **{system}**: p99 above {P99LimitMs} ms at every rate tried\n"));
        }

        foreach (var line in Comparisons(results))
        {
            text.Append(CultureInfo.InvariantCulture, $"* {line}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// Purr against the relay at the same offered rates: server CPU per message at Purr's knee, and the p99 at a quarter
    /// of Purr's knee (the issue's two ratios), as sentences.
    /// </summary>
    public static IEnumerable<string> Comparisons(IReadOnlyList<Measurement> results)
    {
        if (CpuAtPurrKnee(results) is { } cpu)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"server CPU per message at Purr's knee ({cpu.Rate:N0}/s): Purr {cpu.Purr:N0} µs, raw relay {cpu.Relay:N0} µs: **{cpu.Purr / cpu.Relay:F2}x**");
        }

        if (P99AtQuarter(results) is { } p99)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"p99 at a quarter of Purr's knee ({p99.Rate:N0}/s): Purr {p99.Purr:N1} ms, raw relay {p99.Relay:N1} ms: **{p99.Purr / p99.Relay:F2}x**");
        }
    }

    public static (double Rate, double Purr, double Relay)? CpuAtPurrKnee(IReadOnlyList<Measurement> results)
    {
        var knee = KneeOf(results.Where(r => SystemOf(r) == "Purr"));
        var purr = results.FirstOrDefault(r => SystemOf(r) == "Purr" && !IsQuarter(r) && r["offered_per_s"] == knee);
        var relay = results.FirstOrDefault(r => SystemOf(r) == "raw relay" && !IsQuarter(r) && r["offered_per_s"] == knee);
        return purr is null || relay is null ? null : (knee, purr["server_cpu_us_per_msg"], relay["server_cpu_us_per_msg"]);
    }

    public static (double Rate, double Purr, double Relay)? P99AtQuarter(IReadOnlyList<Measurement> results)
    {
        var purr = results.FirstOrDefault(r => SystemOf(r) == "Purr" && IsQuarter(r));
        var relay = results.FirstOrDefault(r => SystemOf(r) == "raw relay" && IsQuarter(r));
        return purr is null || relay is null ? null : (purr["offered_per_s"], purr["p99_ms"], relay["p99_ms"]);
    }

    /// <summary>The system a row measured: BENCHMARKS.md's knee rows are named "Purr, 2,000/s".</summary>
    private static string SystemOf(Measurement row) => row.System.Split(',')[0];
}
