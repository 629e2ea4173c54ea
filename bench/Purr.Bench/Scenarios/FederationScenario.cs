using System.Globalization;
using System.Text;
using Purr.Bench.Clients;
using Purr.Bench.Targets;

namespace Purr.Bench.Scenarios;

/// <summary>
/// S7: S1's 1 KiB one-to-one traffic to mailboxes on one server, sent directly to it and through a proxy server (one
/// relay hop, PROTOCOL.md section 15) and through a three-hop onion route (proxy, middle, exit; section 15.5), at the
/// same offered rates in one run. Four purrd processes: the destination (every mailbox), the proxy, the middle and the
/// exit; the CPU column counts all four.
/// </summary>
internal static class FederationScenario
{
    public const string Name = "S7 federation";

    private static readonly string[] Federating =
    [
        "--Federation:Mode=open", "--Federation:AllowPrivateAddresses=true", "--Federation:MaxInFlightPerPeer=100000",
        "--Federation:BytesPerMinutePerPeer=1099511627776", "--Federation:LinkRequestsPerSecond=1000000",
        "--Federation:OnionPacketsPerMinutePerIp=10000000",
    ];

    public static async Task<List<Measurement>> RunAsync(RunSize size, IReadOnlyList<int> rates, Action<Measurement> report)
    {
        var rows = new List<Measurement>();
        await using var destination = await Launcher.PurrdAsync(extra: Federating, name: "destination");
        await using var proxy = await Launcher.PurrdAsync(extra: Federating, name: "proxy");
        await using var middle = await Launcher.PurrdAsync(extra: Federating, name: "middle");
        await using var exit = await Launcher.PurrdAsync(extra: Federating, name: "exit");
        TimeSpan Both() => destination.CpuTime() + proxy.CpuTime() + middle.CpuTime() + exit.CpuTime();
        var onion = new RelayedPurrSystem(proxy.PurrAddress!, destination.PurrAddress!, [middle.PurrAddress!, exit.PurrAddress!]);
        foreach (var rate in rates)
        {
            var atRate = size with { OneToOneRate = rate };
            foreach (IChatSystem system in new IChatSystem[] { new PurrSystem([destination.PurrAddress!], "direct"), new RelayedPurrSystem(proxy.PurrAddress!, destination.PurrAddress!), onion })
            {
                var measured = await OneToOneScenario.RunAsync(system, atRate, Both);
                var row = measured with { Scenario = Name, System = $"{measured.System}, {rate:N0}/s" };
                rows.Add(row);
                report(row);
            }
        }

        return rows;
    }

    public static string Markdown(IReadOnlyList<Measurement> rows, string machine, DateTime when)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured by `purr-bench s7` on {when:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine(machine);
        md.AppendLine();
        md.AppendLine("| route, offered | offered | delivered/s | p50 | p99 | server CPU per message (all four servers) | delivered / sent |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.System} | {row["offered_per_s"]:N0}/s | {row["delivered_per_s"]:N0} | {row["p50_ms"]:F1} ms | {row["p99_ms"]:F1} ms | {row["server_cpu_us_per_msg"]:N0} µs | {row["delivered"]:N0} / {row["sent"]:N0} |");
        }

        return md.ToString();
    }
}
