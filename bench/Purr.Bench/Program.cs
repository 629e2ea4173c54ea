using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Purr.Bench;
using Purr.Bench.Clients;
using Purr.Bench.Report;
using Purr.Bench.Scenarios;
using Purr.Bench.Targets;

// purr-bench: `all` runs every scenario against Purr, the raw relay and Prosody and writes
// BENCHMARKS.md; `smoke` is the seconds-long check CI runs.
var mode = args.FirstOrDefault() ?? "smoke";
var size = mode == "all" ? RunSize.Full : RunSize.Smoke;
var results = new List<Measurement>();
void Report(Measurement m)
{
    results.Add(m);
    Console.Out.WriteLine($"{m.Scenario,-22} {m.System,-14} " + string.Join("  ", m.Values.Select(v => $"{v.Key}={SvgChart.Format(v.Value)}")));
}

// S1 one-to-one
await using (var purr = await Launcher.PurrdAsync())
{
    Report(await OneToOneScenario.RunAsync(new PurrSystem(purr.PurrAddress!), size));
}

await using (var relay = await Launcher.RelayAsync())
{
    Report(await OneToOneScenario.RunAsync(new RelaySystem(relay.Host, relay.Port), size));
}

if (size.Prosody && Launcher.ProsodyInstalled)
{
    await using var prosody = await Launcher.ProsodyAsync();
    Report(await OneToOneScenario.RunAsync(new XmppSystem(prosody.Host, prosody.Port), size));
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

if (size.Prosody && Launcher.ProsodyInstalled)
{
    await using var prosody = await Launcher.ProsodyAsync();
    Report(await FanOutScenario.ProsodyAsync(prosody, size));
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

if (size.Prosody && Launcher.ProsodyInstalled)
{
    await using var prosody = await Launcher.ProsodyAsync();
    Report(await IdleScenario.RunAsync(prosody, new XmppSystem(prosody.Host, prosody.Port), size.IdleConnections));
}

// S4 connect rate
await using (var purr = await Launcher.PurrdAsync())
{
    Report(await ConnectRateScenario.PurrAsync(purr, size.ConnectCount));
}

await using (var relay = await Launcher.RelayAsync())
{
    Report(await ConnectRateScenario.GenericAsync(relay, new RelaySystem(relay.Host, relay.Port), size.ConnectCount, "WebSocket upgrade + first frame"));
}

if (size.Prosody && Launcher.ProsodyInstalled)
{
    await using var prosody = await Launcher.ProsodyAsync();
    Report(await ConnectRateScenario.GenericAsync(prosody, new XmppSystem(prosody.Host, prosody.Port), size.ConnectCount, "stream + SASL ANONYMOUS + bind"));
}

// S5 cold start
Report(await ColdStartScenario.PurrAsync());
Report(await ColdStartScenario.GenericAsync("raw relay", port => new("dotnet", [BuildOutputs.Relay, "--urls", $"http://127.0.0.1:{port}"])));

// S6 client crypto
if (size.Ratchet)
{
    var summary = BenchmarkRunner.Run<RatchetBenchmarks>(DefaultConfig.Instance.AddJob(Job.ShortRun).WithOptions(ConfigOptions.DisableOptimizationsValidator));
    var mean = summary.Reports.FirstOrDefault()?.ResultStatistics?.Mean ?? double.NaN;
    Report(new Measurement("S6 client crypto", "Purr", new Dictionary<string, double> { ["mean_us"] = mean / 1000, ["messages_per_s"] = 1e9 / mean }, "BenchmarkDotNet ShortRun, one thread"));
}

var purrS1 = results.FirstOrDefault(r => r.Scenario == OneToOneScenario.Name && r.System == "Purr");
var purrS2 = results.FirstOrDefault(r => r.Scenario == FanOutScenario.Name && r.System == "Purr");
if (mode != "all")
{
    // The smoke run checks the harness works end to end: every message delivered, nothing failed.
    var ok = purrS1 is not null && purrS1["delivered"] >= purrS1["sent"] && purrS1["failed"] == 0
        && purrS2 is not null && purrS2["deliveries"] >= purrS2["expected_deliveries"];
    Console.Out.WriteLine(ok ? "bench smoke: ok" : "bench smoke: FAILED");
    return ok ? 0 : 1;
}

var output = Path.Combine(BuildOutputs.Root, "bench", "results");
Directory.CreateDirectory(output);
await File.WriteAllTextAsync(Path.Combine(output, "results.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
var markdown = MarkdownReport.Build(results, Machine.Describe(), "bash bench/run.sh", DateTimeOffset.UtcNow, output) + Targets.Describe(results);
await File.WriteAllTextAsync(Path.Combine(BuildOutputs.Root, "BENCHMARKS.md"), markdown, Encoding.UTF8);
Console.Out.WriteLine("wrote BENCHMARKS.md and bench/results/");
return 0;
