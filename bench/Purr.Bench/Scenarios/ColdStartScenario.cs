using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Purr.Bench.Targets;
using Purr.Client;
using Purr.Protocol;

namespace Purr.Bench.Scenarios;

/// <summary>S5: from process start to the first accepted connection, and resident memory once idle.</summary>
internal static class ColdStartScenario
{
    public const string Name = "S5 cold start";

    // A start is timed to the first connection that succeeds: tried every millisecond (every 20 ms, as elsewhere in the
    // bench, added about 10 ms on average to a 60 ms start).
    private static readonly TimeSpan StartPoll = TimeSpan.FromMilliseconds(1);

    /// <summary>The native AOT purrd that scripts/test-aot.sh publishes, when it is there.</summary>
    public static string AotPurrd => Path.Combine(BuildOutputs.Root, "artifacts", "aot", "purrd");

    /// <param name="nativeAot">Runs the native AOT build (<see cref="AotPurrd"/>) instead of `dotnet purrd.dll`.</param>
    public static async Task<Measurement> PurrAsync(bool nativeAot = false)
    {
        var port = Launcher.FreePort();
        var data = Directory.CreateTempSubdirectory("purr-bench-cold-").FullName;
        string[] arguments = ["--urls", $"http://127.0.0.1:{port}", "--data", data, "--storage", "sqlite"];
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(new ProcessStartInfo(nativeAot ? AotPurrd : "dotnet", nativeAot ? arguments : [BuildOutputs.Purrd, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            // The key is not known before the server made it; read it from the file it wrote, then connect properly.
            await Launcher.WaitForPortAsync(port, TimeSpan.FromSeconds(30), StartPoll);
            var firstAccept = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var key = File.ReadAllBytes(Path.Combine(data, "server.key"));
            using var pair = Purr.Crypto.Ed25519KeyPair.FromSeed(key.AsSpan(0, 32));
            await using (var connection = await PurrConnection.ConnectAsync(new PurrAddress(pair.PublicKey, "127.0.0.1", port)))
            {
                await connection.PingAsync();
            }

            var firstHello = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await Task.Delay(3000);
            return new Measurement(Name, nativeAot ? "Purr native AOT" : "Purr", new Dictionary<string, double>
            {
                ["first_accept_ms"] = firstAccept,
                ["first_hello_ms"] = firstHello,
                ["idle_rss_mib"] = ChildProcess.ReadRss(process.Id) / 1048576.0,
            }, nativeAot ? "artifacts/aot/purrd (dotnet publish -p:PublishAot=true), SQLite store" : "dotnet purrd.dll, SQLite store, JIT (framework-dependent)");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    public static Task<Measurement> RelayAsync() =>
        GenericAsync("raw relay", port => new("dotnet", [BuildOutputs.Relay, "--urls", $"http://127.0.0.1:{port}"]));

    private static async Task<Measurement> GenericAsync(string system, Func<int, ProcessStartInfo> start)
    {
        var port = Launcher.FreePort();
        var started = Stopwatch.GetTimestamp();
        var info = start(port);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info)!;
        try
        {
            await Launcher.WaitForPortAsync(port, TimeSpan.FromSeconds(30), StartPoll);
            var firstAccept = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await Task.Delay(3000);
            return new Measurement(Name, system, new Dictionary<string, double>
            {
                ["first_accept_ms"] = firstAccept,
                ["idle_rss_mib"] = ChildProcess.ReadRss(process.Id) / 1048576.0,
            });
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>One row per system, each figure the median of its runs (in the order the systems first ran).</summary>
    public static IReadOnlyList<Measurement> Medians(IReadOnlyList<Measurement> runs) =>
        [.. runs.GroupBy(r => r.System).Select(g => g.First() with
        {
            Values = g.First().Values.Keys.ToDictionary(key => key, key => Median(g.Select(r => r[key]))),
        })];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>JIT and native AOT side by side: the median of the runs, and the targets of issue 16.</summary>
    public static string Markdown(IReadOnlyList<Measurement> runs, string machine, DateTime when)
    {
        var md = new System.Text.StringBuilder();
        md.AppendLine("# S5 cold start: JIT and native AOT purrd, and the relay");
        md.AppendLine();
        md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Generated by `dotnet bench/Purr.Bench/bin/Release/net10.0/purr-bench.dll s5` on {when:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine(machine.TrimEnd());
        md.AppendLine("* method: process start to the first accepted TCP connection and to the first completed hello (a real Purr client's handshake and ping), then resident memory after 3 s idle; SQLite store; the two builds and the relay alternate, five runs each, medians shown.");
        md.AppendLine();
        md.AppendLine("| build | first accept | first hello | idle RSS |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var row in Medians(runs))
        {
            var build = row.System switch { "Purr" => "JIT (dotnet purrd.dll)", "Purr native AOT" => "native AOT", var other => other };
            var hello = row.Values.ContainsKey("first_hello_ms") ? $"{row["first_hello_ms"]:F0} ms" : "(no hello)";
            md.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"| {build} | {row["first_accept_ms"]:F0} ms | {hello} | {row["idle_rss_mib"]:F1} MiB |");
        }

        var jit = runs.Where(r => r.System == "Purr").ToArray();
        var aot = runs.Where(r => r.System == "Purr native AOT").ToArray();
        var aotHello = Median(aot.Select(r => r["first_hello_ms"]));
        var rss = Median(aot.Select(r => r["idle_rss_mib"]));
        md.AppendLine();
        md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"* native AOT / JIT, first hello: {aotHello / Median(jit.Select(r => r["first_hello_ms"])):F2}x; idle RSS: {rss / Median(jit.Select(r => r["idle_rss_mib"])):F2}x");
        md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"* target first hello under 60 ms: {(aotHello < 60 ? "met" : "**not met**")} ({aotHello:F0} ms); idle RSS under 35 MiB: {(rss < 35 ? "met" : "**not met**")} ({rss:F1} MiB)");
        return md.ToString();
    }
}
