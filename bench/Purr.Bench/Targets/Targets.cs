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

        md.AppendLine();
        md.AppendLine("## What bounds the figures");
        md.AppendLine();
        md.AppendLine("""
            * **The machine.** Servers and the load generator share 2 cores. In S1 the generator (1,000 real
              Purr clients, each acknowledging every message with an Ed25519 signature) needs more CPU than the
              server; `dotnet bench/Purr.Bench/bin/Release/net10.0/purr-bench.dll s1` prints both processes'
              CPU seconds (during development: server 29 s, generator 38 s for 150,000 messages, about 200 µs of
              server CPU per delivered message).
            * **Per message, Purr does more than the relay by design**: five frames instead of three (send,
              accepted, push, signed ack, ok), one Ed25519 verification (the ack), a store write and delete, and
              in-order delivery (the next message waits for the ack). Latency beyond the capacity is queueing
              time, which the open-loop sender measures on purpose.
            * **Rooms** verify two signatures per message (the request's and the end-to-end message signature)
              and push one frame per member.
            """);
        var relay3 = Find(IdleScenario.Name, "raw relay");
        if (s3 is not null && relay3 is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"* **Idle connections** cost Purr {s3["kib_per_connection"]:F1} KiB and the bare Kestrel WebSocket relay {relay3["kib_per_connection"]:F1} KiB: the cost is the web stack's (socket, pipes, WebSocket state, keep-alive timer), so the 10 KiB target needs a leaner transport, not a leaner Purr.");
        }

        md.AppendLine("* **Cold start and idle memory** are those of a framework-dependent .NET process (`dotnet purrd.dll`, JIT at start); native AOT would cut both, but its runtime pack is not in this machine's package registry.");
        md.AppendLine("* **S6** counts one sealed *and* opened message per operation; encryptions and decryptions each run at twice that rate.");
        return md.ToString();
    }

    private static string Ratio(Measurement? ours, Measurement? theirs, string key) =>
        ours is null || theirs is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{ours[key] / theirs[key]:F2}x");
}
