using System.Globalization;
using System.Text;
using Purr.Bench.Clients;
using Purr.Bench.Targets;

namespace Purr.Bench.Scenarios;

/// <summary>
/// `purr-bench scale`: S1 and S2 on one node with SQLite (the default), one node on PostgreSQL, and two nodes on
/// PostgreSQL + Redis (S1: every pair split across them; S2: the sender on one node, the members spread over both),
/// all in one run; figures as ratios to SQLite.
/// </summary>
internal static class ScaleOutRun
{
    public const string SqliteName = "Purr, SQLite, 1 node";
    public const string PostgresName = "Purr, PostgreSQL, 1 node";
    public const string TwoNodesName = "Purr, PostgreSQL + Redis, 2 nodes";

    public static async Task<List<Measurement>> RunAsync(RunSize size, Action<Measurement> report, int[]? rates = null)
    {
        var results = new List<Measurement>();
        void Add(Measurement m)
        {
            results.Add(m);
            report(m);
        }

        // A rate all three sustain (latency), then one beyond them (throughput at saturation), but not so far beyond
        // that the backlog outlasts the clients' 30 s request timeout (at 5,000/s it did: timed-out acks then stall
        // whole mailboxes, and the row measures the bench client's give-up, not the server).
        foreach (var rate in rates ?? (size == RunSize.Smoke ? [size.OneToOneRate] : (int[])[1_000, 2_000]))
        {
            var s1 = size with { OneToOneRate = rate };
            await using (var sqlite = await Launcher.PurrdAsync("sqlite", name: SqliteName))
            {
                Add(await OneToOneScenario.RunAsync(new PurrSystem([sqlite.PurrAddress!], SqliteName), s1, sqlite.CpuTime));
            }

            await using (var database = await BenchDatabase.CreateAsync())
            {
                await using var postgres = await Launcher.PurrdAsync("postgres", [$"--Postgres:ConnectionString={database.ConnectionString}"], name: PostgresName);
                Add(await OneToOneScenario.RunAsync(new PurrSystem([postgres.PurrAddress!], PostgresName), s1, postgres.CpuTime));
            }

            await using (var database = await BenchDatabase.CreateAsync())
            {
                string[] shared = [$"--Postgres:ConnectionString={database.ConnectionString}", $"--Redis:Configuration={BenchDatabase.Redis}"];
                await using var first = await Launcher.PurrdAsync("postgres", shared, name: TwoNodesName);
                await using var second = await Launcher.PurrdAsync("postgres", shared, serverKey: Path.Combine(first.DataDirectory!, "server.key"), name: TwoNodesName);
                Add(await OneToOneScenario.RunAsync(new PurrSystem([first.PurrAddress!, second.PurrAddress!], TwoNodesName), s1, () => first.CpuTime() + second.CpuTime()));
            }
        }

        await using (var sqlite = await Launcher.PurrdAsync("sqlite", name: SqliteName))
        {
            Add(await FanOutScenario.PurrAsync(sqlite, size));
        }

        await using (var database = await BenchDatabase.CreateAsync())
        {
            await using var postgres = await Launcher.PurrdAsync("postgres", [$"--Postgres:ConnectionString={database.ConnectionString}"], name: PostgresName);
            Add(await FanOutScenario.PurrAsync(postgres, size));
        }

        await using (var database = await BenchDatabase.CreateAsync())
        {
            string[] shared = [$"--Postgres:ConnectionString={database.ConnectionString}", $"--Redis:Configuration={BenchDatabase.Redis}"];
            await using var first = await Launcher.PurrdAsync("postgres", shared, name: TwoNodesName);
            await using var second = await Launcher.PurrdAsync("postgres", shared, serverKey: Path.Combine(first.DataDirectory!, "server.key"), name: TwoNodesName);
            Add(await FanOutScenario.PurrAsync(first, size, [first.PurrAddress!, second.PurrAddress!]));
        }

        return results;
    }

    /// <summary>The tables docs/scale-out.md quotes.</summary>
    public static string Markdown(IReadOnlyList<Measurement> results, string machine, DateTime when)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured by `bash bench/run.sh scale` on {when:yyyy-MM-dd HH:mm} UTC.\n\n{machine}\n\n");
        text.Append("| S1 one-to-one (1 KiB, open loop, 1,000 clients) | offered | delivered/s | p50 | p99 | delivered/sent | server CPU per message | vs SQLite |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var m in results.Where(r => r.Scenario == OneToOneScenario.Name))
        {
            var baseline = results.FirstOrDefault(r => r.Scenario == OneToOneScenario.Name && r.System == SqliteName && r["offered_per_s"] == m["offered_per_s"]);
            text.Append(CultureInfo.InvariantCulture,
                $"| {m.System} | {m["offered_per_s"]:N0}/s | {m["delivered_per_s"]:N0} msg/s | {m["p50_ms"]:N1} ms | {m["p99_ms"]:N1} ms | {m["delivered"]:N0}/{m["sent"]:N0} | {m["server_cpu_us_per_msg"]:N0} µs | {Ratio(m, baseline, "delivered_per_s")} |\n");
        }

        text.Append("\n| S2 room fan-out | deliveries/s | p99 to last recipient | deliveries | vs SQLite |\n| --- | --- | --- | --- | --- |\n");
        var fanBaseline = results.FirstOrDefault(r => r.Scenario == FanOutScenario.Name && r.System == SqliteName);
        foreach (var m in results.Where(r => r.Scenario == FanOutScenario.Name))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {m.System} | {m["deliveries_per_s"]:N0}/s | {m["p99_last_recipient_ms"]:N0} ms | {m["deliveries"]:N0}/{m["expected_deliveries"]:N0} | {Ratio(m, fanBaseline, "deliveries_per_s")} |\n");
        }

        return text.ToString();
    }

    private static string Ratio(Measurement m, Measurement? baseline, string key) =>
        baseline is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{m[key] / baseline[key]:F2}x");
}
