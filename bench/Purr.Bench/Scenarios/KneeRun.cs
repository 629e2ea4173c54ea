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

    private static readonly int[] Ladder = [1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 40_000, 60_000, 80_000];

    public static async Task<List<Measurement>> RunAsync(RunSize size, int[]? rates, Action<Measurement> report)
    {
        var results = new List<Measurement>();
        var systems = new (string Name, Func<Task<ServerUnderTest>> Start, Func<ServerUnderTest, IChatSystem> Clients)[]
        {
            ("Purr", () => Launcher.PurrdAsync(), server => new PurrSystem(server.PurrAddress!)),
            ("raw relay", Launcher.RelayAsync, server => new RelaySystem(server.Host, server.Port)),
        };
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

        return results;
    }

    /// <summary>A rate the system kept up with: everything delivered, nothing refused, p99 under the limit.</summary>
    public static bool Under(Measurement row) =>
        row["failed"] == 0 && row["delivered"] >= row["sent"] && row["p99_ms"] <= P99LimitMs;

    public static string Markdown(IReadOnlyList<Measurement> results, string machine, string pinning, DateTime when)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured by `purr-bench knee` on {when:yyyy-MM-dd HH:mm} UTC.\n\n{machine}\n* pinning: {pinning}\n\n");
        text.Append("| system | offered | delivered/s | p50 | p99 | server CPU per message | under 50 ms |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var m in results)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {m.System} | {m["offered_per_s"]:N0}/s | {m["delivered_per_s"]:N0} | {m["p50_ms"]:N1} ms | {m["p99_ms"]:N1} ms | {m["server_cpu_us_per_msg"]:N0} µs | {(Under(m) ? "yes" : "no")} |\n");
        }

        text.Append('\n');
        var knees = results.GroupBy(m => m.System).Select(g => (System: g.Key, Knee: g.Where(Under).Select(m => m["offered_per_s"]).DefaultIfEmpty(0).Max(),
            Cpu: g.Where(Under).Select(m => m["server_cpu_us_per_msg"]).DefaultIfEmpty(double.NaN).Last())).ToList();
        foreach (var (system, knee, cpu) in knees)
        {
            text.Append(knee > 0
                ? string.Create(CultureInfo.InvariantCulture, $"* **{system}**: knee {knee:N0} msg/s (p99 ≤ {P99LimitMs} ms), {cpu:N0} µs of server CPU per message there\n")
                : string.Create(CultureInfo.InvariantCulture, $"* **{system}**: p99 above {P99LimitMs} ms at every rate tried\n"));
        }

        if (knees.Count == 2 && knees[0].Knee > 0 && knees[1].Knee > 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"* Purr / relay: knee {knees[0].Knee / knees[1].Knee:F2}x, server CPU per message {knees[0].Cpu / knees[1].Cpu:F2}x\n");
        }

        return text.ToString();
    }
}
