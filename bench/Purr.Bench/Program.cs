using System.Globalization;
using System.Text;
using System.Text.Json;
using Purr.Bench;
using Purr.Bench.Clients;
using Purr.Bench.Report;
using Purr.Bench.Scenarios;
using Purr.Bench.Targets;

// purr-bench: `all` runs every scenario against Purr, the raw relay and Prosody and writes
// BENCHMARKS.md; `smoke` is the seconds-long check CI runs.
var mode = args.FirstOrDefault() ?? "smoke";
var options = BenchOptions.Parse(args);
BenchOptions.Current = options;
options.PinThisProcess();
var size = options.Apply(mode is "all" or "s1" or "s6" or "knee" or "cores" ? RunSize.Full : RunSize.Smoke);
if (mode == "s1")
{
    // Profiling aid: only Purr's S1 (at the first of --rates, if given), printing the server's and this process's CPU time.
    await using var server = await Launcher.PurrdAsync();
    var before = (Server: System.Diagnostics.Process.GetProcessById(server.Process.Id).TotalProcessorTime, Bench: System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime);
    var serverProcess = System.Diagnostics.Process.GetProcessById(server.Process.Id);
    var s1 = await OneToOneScenario.RunAsync(
        new PurrSystem(server.PurrAddress!), options.Rates is [var rate, ..] ? size with { OneToOneRate = rate } : size,
        () => { serverProcess.Refresh(); return serverProcess.TotalProcessorTime; });
    Console.Out.WriteLine($"delivered/s {s1["delivered_per_s"]:F0} p99 {s1["p99_ms"]:F1} ms; server CPU per message {s1.Values.GetValueOrDefault("server_cpu_us_per_msg"):F0} µs, generator {s1.Values.GetValueOrDefault("generator_cpu_us_per_msg"):F0} µs; cpu seconds with connecting: server {(System.Diagnostics.Process.GetProcessById(server.Process.Id).TotalProcessorTime - before.Server).TotalSeconds:F1}, bench {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - before.Bench).TotalSeconds:F1}");
    return 0;
}

var results = new List<Measurement>();
void Report(Measurement m)
{
    results.Add(m);
    Console.Out.WriteLine($"{m.Scenario,-22} {m.System,-14} " + string.Join("  ", m.Values.Select(v => $"{v.Key}={SvgChart.Format(v.Value)}")));
}

var jsonOptions = new JsonSerializerOptions
{
    WriteIndented = true,
    NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
};
var output = Path.Combine(BuildOutputs.Root, "bench", "results");
if (mode == "report")
{
    // Rebuilds BENCHMARKS.md from the last run's bench/results/results.json, without measuring again.
    await SeparateRuns.RebuildAsync(output, jsonOptions);
    Console.Out.WriteLine("rewrote BENCHMARKS.md from bench/results/results.json");
    return 0;
}

if (mode == "s3")
{
    // S3 alone for Purr, the relay and Prosody, back to back, at `--clients N` connections (default the full run's
    // 10,000), merged into results.json and BENCHMARKS.md. With PURR_BENCH_PURRD (another build, for a before/after
    // comparison) only Purr runs and nothing is written. PURR_BENCH_HOLD_SECONDS keeps the clients connected that much
    // longer before measuring (time for a gcdump).
    var connections = options.Clients ?? RunSize.Full.IdleConnections;
    var comparison = Environment.GetEnvironmentVariable("PURR_BENCH_PURRD") is { Length: > 0 };
    await using (var purr = await Launcher.PurrdAsync())
    {
        Console.Out.WriteLine($"purrd pid {purr.Process.Id}");
        Report(await IdleScenario.RunAsync(purr, IdleSystems.Purr(purr), connections));
    }

    if (comparison)
    {
        return 0;
    }

    await using (var relay = await Launcher.RelayAsync())
    {
        Console.Out.WriteLine($"relay pid {relay.Process.Id}");
        Report(await IdleScenario.RunAsync(relay, new RelaySystem(relay.Host, relay.Port), connections));
    }

    foreach (var startXmpp in Launcher.XmppServers)
    {
        await using var xmpp = await startXmpp();
        try
        {
            Report(await IdleScenario.RunAsync(xmpp, new XmppSystem(xmpp), connections));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            // ejabberd, measured third, at times leaves some of 10,000 new streams unanswered: its row stays the last run's.
            Console.Out.WriteLine($"{IdleScenario.Name} {xmpp.Name}: not measured this time ({e.GetType().Name}); its earlier row is kept");
        }
    }

    var measured = results.Select(r => r.System).ToHashSet();
    var kept = (await SeparateRuns.RowsAsync(output, IdleScenario.Name, jsonOptions)).Where(r => !measured.Contains(r.System)).ToList();
    results.AddRange(kept);
    await SeparateRuns.MergeAsync(output, IdleScenario.Name, results,
        $"S3 was measured on its own by `bash bench/run.sh s3` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on the same machine" +
        (kept.Count == 0 ? "." : $" ({string.Join(" and ", kept.Select(r => r.System))}: the previous run's row, not measured this time)."), jsonOptions);
    return 0;
}

if (mode is "scale" or "scale-smoke")
{
    // S1 and S2 on SQLite, PostgreSQL and two nodes on PostgreSQL + Redis (the test services must run).
    // `--rates 1000,2000`: the S1 offered rates (default: one all three sustain and one beyond them).
    var scaleSize = mode == "scale" ? RunSize.Full with { OneToOneDuration = TimeSpan.FromSeconds(8) } : RunSize.Smoke;
    var scale = await ScaleOutRun.RunAsync(options.Apply(scaleSize), Report, options.Rates);
    var table = ScaleOutRun.Markdown(scale, Machine.Describe(), DateTime.UtcNow);
    Directory.CreateDirectory(output);
    await File.WriteAllTextAsync(Path.Combine(output, "scale-out.md"), table, new UTF8Encoding(false));
    Console.Out.WriteLine(table);
    return scale.All(m => m.Scenario != OneToOneScenario.Name || (m["delivered"] >= m["sent"] && m["failed"] == 0)) ? 0 : 1;
}

if (mode is "cores" or "cores-smoke")
{
    // Capacity with the servers on a narrow and a wide CPU list, Purr and the relay, alternating (`--rounds`, default 2).
    var wide = options.WideServerCpus ?? throw new ArgumentException("cores needs --wide-server-cpus");
    var cores = await CoresRun.RunAsync(mode == "cores" ? size : RunSize.Smoke, mode == "cores" ? options : options with { Rates = options.Rates ?? [200, 400] },
        wide, options.Rounds ?? (mode == "cores" ? 2 : 1), Report);
    var table = CoresRun.Markdown(cores, Machine.Describe(), options.ServerCpus!, wide, options.BenchCpus, DateTime.UtcNow);
    if (mode == "cores")
    {
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "cores.md"), table, new UTF8Encoding(false));
        var rows = cores.Select(m => m with { Notes = KneeRun.Under(m) ? "" : "p99 over 50 ms or messages lost" }).ToList();
        await SeparateRuns.MergeAsync(output, CoresRun.Name, rows,
            $"Capacity with cores was measured on its own by `bash bench/run.sh cores` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on the same machine (the load generator on CPUs {options.BenchCpus ?? "any"}{(options.ServerGc ? ", the servers with Server GC" : "")}).",
            jsonOptions);
    }

    Console.Out.WriteLine(table);
    return cores.All(m => m["sent"] > 0) ? 0 : 1;
}

if (mode is "knee" or "knee-smoke")
{
    // The highest S1 rate under a 50 ms p99, for Purr and the relay in one run (`--rates` replaces the ladder).
    var knee = await KneeRun.RunAsync(mode == "knee" ? size : RunSize.Smoke, options.Rates ?? (mode == "knee" ? null : [200, 400]), Report);
    var pinning = options.ServerCpus is null && options.BenchCpus is null
        ? "none (servers and load generator share every core)"
        : $"servers on CPUs {options.ServerCpus ?? "any"}, load generator on CPUs {options.BenchCpus ?? "any"}";
    var table = KneeRun.Markdown(knee, Machine.Describe(), pinning, DateTime.UtcNow);
    // With PURR_BENCH_PURRD (another build, for a before/after comparison) nothing is written.
    if (mode == "knee" && Environment.GetEnvironmentVariable("PURR_BENCH_PURRD") is not { Length: > 0 })
    {
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "knee.md"), table, new UTF8Encoding(false));
        // Into BENCHMARKS.md too, each row named by its rate (the targets read the knee and the quarter rows).
        var rows = knee.Select(m => m with
        {
            Scenario = KneeRun.Name,
            System = string.Create(CultureInfo.InvariantCulture, $"{m.System}, {m["offered_per_s"]:N0}/s{(KneeRun.IsQuarter(m) ? " (a quarter of Purr's knee)" : "")}"),
            Notes = KneeRun.Under(m) ? "" : "p99 over 50 ms or messages lost",
        }).ToList();
        await SeparateRuns.MergeAsync(output, KneeRun.Name, rows,
            $"S1's knee was measured on its own by `bash bench/run.sh knee` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on the same machine.", jsonOptions);
    }

    Console.Out.WriteLine(table);
    return 0;
}

if (mode == "s5")
{
    // Only S5: JIT, native AOT (publish it first: bash scripts/test-aot.sh) and the relay, alternating, five runs each;
    // each system's medians replace the full run's S5 rows in results.json and BENCHMARKS.md.
    if (!File.Exists(ColdStartScenario.AotPurrd))
    {
        Console.Error.WriteLine($"no native AOT purrd at {ColdStartScenario.AotPurrd}: run bash scripts/test-aot.sh first");
        return 1;
    }

    var s5 = new List<Measurement>();
    List<Func<Task<Measurement>>> starts =
        [() => ColdStartScenario.PurrAsync(), .. ColdStartScenario.NativeBuilds.Select(build => (Func<Task<Measurement>>)(() => ColdStartScenario.PurrAsync(build))), ColdStartScenario.RelayAsync];
    for (var run = 0; run < 5; run++)
    {
        // The order turns each run, so that no build always starts right after the same one (the native build that
        // always followed the JIT one measured about 8 ms slower than when started alone), and each start waits for a
        // quiet machine first (see ColdStartScenario.Quiet).
        foreach (var start in starts.Skip(run % starts.Count).Concat(starts.Take(run % starts.Count)))
        {
            await Task.Delay(ColdStartScenario.Quiet);
            s5.Add(await start());
        }
    }

    foreach (var row in s5)
    {
        Report(row);
    }

    Directory.CreateDirectory(output);
    var s5Table = ColdStartScenario.Markdown(s5, Machine.Describe(), DateTime.UtcNow);
    await File.WriteAllTextAsync(Path.Combine(output, "s5-cold-start.md"), s5Table, new UTF8Encoding(false));
    await SeparateRuns.MergeAsync(output, ColdStartScenario.Name, Medians.PerSystem(s5),
        $"S5 was measured on its own by `bash bench/run.sh s5` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on the same machine (each figure the median of five starts).", jsonOptions);
    Console.Out.WriteLine(s5Table);
    return 0;
}

if (mode == "s4")
{
    // Only S4: Purr (with mailbox keys), the relay and Purr signed (first connections) alternating, five runs each on fresh processes (`--clients` connections a run, 4,000
    // unless given); each system's medians replace its full-run S4 row in results.json and BENCHMARKS.md.
    var count = options.Clients ?? RunSize.Full.ConnectCount;
    var s4 = new List<Measurement>();
    for (var run = 0; run < 5; run++)
    {
        await using (var purr = await Launcher.PurrdAsync())
        {
            s4.Add(await ConnectRateScenario.PurrAsync(purr, count));
        }

        await using (var relay = await Launcher.RelayAsync())
        {
            s4.Add(await ConnectRateScenario.GenericAsync(relay, new RelaySystem(relay.Host, relay.Port), count, "WebSocket upgrade + first frame", warmUp: true));
        }

        await using (var purr = await Launcher.PurrdAsync())
        {
            s4.Add(await ConnectRateScenario.PurrAsync(purr, count, withMailboxKeys: false));
        }
    }

    foreach (var row in s4)
    {
        Report(row);
    }

    // Prosody's and ejabberd's rows stay the full run's: after this many connections one of them at times stopped
    // answering a new stream for 30 s.
    var medians = Medians.PerSystem(s4);
    var others = (await SeparateRuns.RowsAsync(output, ConnectRateScenario.Name, jsonOptions)).Where(r => medians.All(m => m.System != r.System));
    await SeparateRuns.MergeAsync(output, ConnectRateScenario.Name, [.. medians, .. others],
        $"S4 was measured on its own by `bash bench/run.sh s4` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on the same machine (Purr, the relay and Purr's first connections alternating, each figure the median of five runs; the XMPP servers' rows are the full run's).", jsonOptions);
    foreach (var row in medians)
    {
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{row.System}: {row["connections_per_s"]:N0} connections/s, server CPU {row["server_cpu_us_per_connection"]:N0} µs a connection"));
    }

    return 0;
}

if (mode == "s7")
{
    // Only S7 (direct, one proxy hop, three-hop onion route; `--rates` or 500 and 1,000 msg/s), merged into results.json and BENCHMARKS.md.
    var s7 = await FederationScenario.RunAsync(size with { OneToOneClients = options.Clients ?? 200, OneToOneDuration = options.Duration ?? TimeSpan.FromSeconds(10) }, options.Rates ?? [500, 1000], Report);
    Directory.CreateDirectory(output);
    var s7Table = FederationScenario.Markdown(s7, Machine.Describe(), DateTime.UtcNow);
    await File.WriteAllTextAsync(Path.Combine(output, "s7-federation.md"), s7Table, new UTF8Encoding(false));
    await SeparateRuns.MergeAsync(output, FederationScenario.Name, s7,
        $"S7 was measured on its own by `bash bench/run.sh s7 --rates {string.Join(',', s7.Select(r => r["offered_per_s"]).Distinct())}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on the same machine.",
        jsonOptions);
    Console.Out.WriteLine(s7Table);
    return 0;
}

if (mode == "isolation")
{
    // Only S8 (transport isolation's cost: one relayed connection, one each, one direct each), into bench/results/isolation.md.
    var s8 = await IsolationScenario.RunAsync(options.Clients ?? 200, Report);
    Directory.CreateDirectory(output);
    var s8Table = IsolationScenario.Markdown(s8, Machine.Describe(), DateTime.UtcNow);
    await File.WriteAllTextAsync(Path.Combine(output, "isolation.md"), s8Table, new UTF8Encoding(false));
    Console.Out.WriteLine(s8Table);
    return 0;
}

if (mode == "s6")
{
    // Only S6 (classic and post-quantum), written to bench/results/s6-client-crypto.md and merged into results.json and BENCHMARKS.md.
    var s6 = RatchetScenario.Run();
    foreach (var row in s6)
    {
        Report(row);
    }

    Directory.CreateDirectory(output);
    var s6Table = RatchetScenario.Markdown(s6, Machine.Describe(), DateTime.UtcNow);
    await File.WriteAllTextAsync(Path.Combine(output, "s6-client-crypto.md"), s6Table, new UTF8Encoding(false));
    await SeparateRuns.MergeAsync(output, RatchetScenario.Name, s6,
        $"S6 was measured on its own by `bash bench/run.sh s6` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on the same machine.", jsonOptions);
    Console.Out.WriteLine(s6Table);
    return 0;
}

// S1 one-to-one
await using (var purr = await Launcher.PurrdAsync())
{
    Report(await OneToOneScenario.RunAsync(new PurrSystem(purr.PurrAddress!), size, purr.CpuTime));
}

await using (var relay = await Launcher.RelayAsync())
{
    Report(await OneToOneScenario.RunAsync(new RelaySystem(relay.Host, relay.Port), size, relay.CpuTime));
}

foreach (var startXmpp in size.Xmpp ? Launcher.XmppServers : [])
{
    await using var xmpp = await startXmpp();
    Report(await OneToOneScenario.RunAsync(new XmppSystem(xmpp), size, xmpp.CpuTime));
}

// S2 room fan-out
await using (var purr = await Launcher.PurrdAsync())
{
    Report(await FanOutScenario.PurrAsync(purr, size));
}

await using (var relay = await Launcher.RelayAsync())
{
    Report(await FanOutScenario.RelayAsync(relay, size));
}

foreach (var startXmpp in size.Xmpp ? Launcher.XmppServers : [])
{
    await using var xmpp = await startXmpp();
    Report(await FanOutScenario.XmppAsync(xmpp, size));
}

// S3 idle connections
await using (var purr = await Launcher.PurrdAsync())
{
    Report(await IdleScenario.RunAsync(purr, IdleSystems.Purr(purr), size.IdleConnections));
}

await using (var relay = await Launcher.RelayAsync())
{
    Report(await IdleScenario.RunAsync(relay, new RelaySystem(relay.Host, relay.Port), size.IdleConnections));
}

foreach (var startXmpp in size.Xmpp ? Launcher.XmppServers : [])
{
    await using var xmpp = await startXmpp();
    Report(await IdleScenario.RunAsync(xmpp, new XmppSystem(xmpp), size.IdleConnections));
}

// S4 connect rate
await using (var purr = await Launcher.PurrdAsync())
{
    Report(await ConnectRateScenario.PurrAsync(purr, size.ConnectCount));
}

await using (var purr = await Launcher.PurrdAsync())
{
    Report(await ConnectRateScenario.PurrAsync(purr, size.ConnectCount, withMailboxKeys: false));
}

await using (var relay = await Launcher.RelayAsync())
{
    Report(await ConnectRateScenario.GenericAsync(relay, new RelaySystem(relay.Host, relay.Port), size.ConnectCount, "WebSocket upgrade + first frame", warmUp: true));
}

foreach (var startXmpp in size.Xmpp ? Launcher.XmppServers : [])
{
    await using var xmpp = await startXmpp();
    Report(await ConnectRateScenario.GenericAsync(xmpp, new XmppSystem(xmpp), size.ConnectCount, "stream + SASL ANONYMOUS + bind", warmUp: false));
}

// S5 cold start (JIT, and the native AOT builds scripts/test-aot.sh has published)
Report(await ColdStartScenario.PurrAsync());
foreach (var build in ColdStartScenario.NativeBuilds)
{
    Report(await ColdStartScenario.PurrAsync(build));
}

Report(await ColdStartScenario.RelayAsync());

// S7 federation: direct, one proxy hop and a three-hop onion route (the smoke run: its one smoke rate)
foreach (var row in await FederationScenario.RunAsync(
    mode == "all" ? size with { OneToOneClients = 200, OneToOneDuration = TimeSpan.FromSeconds(10) } : size,
    mode == "all" ? [500, 1000] : [size.OneToOneRate / 5], _ => { }))
{
    Report(row);
}

// S6 client crypto
if (size.Ratchet)
{
    foreach (var row in RatchetScenario.Run())
    {
        Report(row);
    }
}

var purrS1 = results.FirstOrDefault(r => r.Scenario == OneToOneScenario.Name && r.System == "Purr");
var purrS2 = results.FirstOrDefault(r => r.Scenario == FanOutScenario.Name && r.System == "Purr");
if (mode != "all")
{
    // The smoke run checks the harness works end to end: every message delivered, nothing failed.
    var s7Rows = results.Where(r => r.Scenario == FederationScenario.Name).ToList();
    var ok = purrS1 is not null && purrS1["delivered"] >= purrS1["sent"] && purrS1["failed"] == 0
        && purrS2 is not null && purrS2["deliveries"] >= purrS2["expected_deliveries"]
        && s7Rows.Count == 3 && s7Rows.All(r => r["delivered"] >= r["sent"] && r["failed"] == 0);
    Console.Out.WriteLine(ok ? "bench smoke: ok" : "bench smoke: FAILED");
    return ok ? 0 : 1;
}

Directory.CreateDirectory(output);
var finished = DateTimeOffset.UtcNow;
await SeparateRuns.StartAsync(output, finished);
await File.WriteAllTextAsync(Path.Combine(output, "results.json"), JsonSerializer.Serialize(results, jsonOptions));
var markdown = MarkdownReport.Build(results, Machine.Describe(), "bash bench/run.sh", finished, output) + Targets.Describe(results);
await File.WriteAllTextAsync(Path.Combine(BuildOutputs.Root, "BENCHMARKS.md"), markdown, new UTF8Encoding(false));
Console.Out.WriteLine("wrote BENCHMARKS.md and bench/results/");
return 0;
