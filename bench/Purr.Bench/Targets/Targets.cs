using System.Globalization;
using System.Text;
using Purr.Bench.Scenarios;

namespace Purr.Bench.Targets;

/// <summary>The issue's targets, checked against this run's figures.</summary>
internal static class Targets
{
    public static string Describe(IReadOnlyList<Measurement> results)
    {
        Measurement? Find(string scenario, string system) => results.FirstOrDefault(r => r.Scenario == scenario && r.System == system);
        var s1 = Find(OneToOneScenario.Name, "Purr");
        var relay1 = Find(OneToOneScenario.Name, "raw relay");
        var prosody1 = Find(OneToOneScenario.Name, "Prosody 0.12");
        var rows = new List<(string Target, string Measured, bool? Met)>
        {
            ("S1 p99 < 5 ms at 10,000 msg/s, 1,000 clients", $"{s1?["p99_ms"]:F1} ms at {s1?["delivered_per_s"]:F0} msg/s", s1 is null ? null : s1["p99_ms"] < 5 && s1["delivered_per_s"] >= 9_500),
            ("S1 >= 0.8x the raw relay's throughput", Ratio(s1, relay1, "delivered_per_s"), s1 is null || relay1 is null ? null : s1["delivered_per_s"] >= 0.8 * relay1["delivered_per_s"]),
            ("S1 >= 3x Prosody's throughput", Ratio(s1, prosody1, "delivered_per_s"), s1 is null || prosody1 is null ? null : s1["delivered_per_s"] >= 3 * prosody1["delivered_per_s"]),
        };
        var s2 = Find(FanOutScenario.Name, "Purr");
        rows.Add(("S2 >= 200,000 deliveries/s", $"{s2?["deliveries_per_s"]:F0}/s", s2 is null ? null : s2["deliveries_per_s"] >= 200_000));
        var s3 = Find(IdleScenario.Name, "Purr");
        rows.Add(("S3 <= 10 KiB per idle connection", $"{s3?["kib_per_connection"]:F1} KiB", s3 is null ? null : s3["kib_per_connection"] <= 10));
        var s4 = Find(ConnectRateScenario.Name, "Purr");
        rows.Add(("S4 >= 4,000 connections/s", $"{s4?["connections_per_s"]:F0}/s", s4 is null ? null : s4["connections_per_s"] >= 4000));
        var s5 = Find(ColdStartScenario.Name, "Purr");
        rows.Add(("S5 cold start < 300 ms", $"{s5?["first_accept_ms"]:F0} ms", s5 is null ? null : s5["first_accept_ms"] < 300));
        rows.Add(("S5 idle RSS < 60 MiB", $"{s5?["idle_rss_mib"]:F1} MiB", s5 is null ? null : s5["idle_rss_mib"] < 60));
        var s6 = Find("S6 client crypto", "Purr");
        rows.Add(("S6 >= 50,000 ratchet messages/s per core", $"{s6?["messages_per_s"]:F0}/s", s6 is null ? null : s6["messages_per_s"] >= 50_000));

        var md = new StringBuilder("## Targets\n\n| target | this run | met |\n| --- | --- | --- |\n");
        foreach (var (target, measured, met) in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {measured} | {(met is null ? "not measured" : met.Value ? "yes" : "**no**")} |");
        }

        return md.ToString();
    }

    private static string Ratio(Measurement? ours, Measurement? theirs, string key) =>
        ours is null || theirs is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{ours[key] / theirs[key]:F2}x");
}
