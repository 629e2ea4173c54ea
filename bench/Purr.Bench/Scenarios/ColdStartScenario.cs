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

    /// <summary>The lean native AOT purrd (-p:PurrLean=true: no PostgreSQL, Redis or MQTT) that scripts/test-aot.sh publishes.</summary>
    public static string LeanAotPurrd => Path.Combine(BuildOutputs.Root, "artifacts", "aot-lean", "purrd");

    /// <summary>
    /// How long a start waits after the one before: the bench's own tiered JIT recompiles its polling and client code in
    /// the background after a slow (JIT) start, and that work shared the two cores with the next start.
    /// </summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    public const string AotSystem = "Purr native AOT";
    public const string LeanAotSystem = "Purr native AOT, lean";

    /// <summary>The native builds there are to measure: the full one, and the lean one when it was published.</summary>
    public static IReadOnlyList<PurrdBuild> NativeBuilds =>
        [.. new[] { PurrdBuild.NativeAot, PurrdBuild.LeanNativeAot }.Where(build => File.Exists(build == PurrdBuild.NativeAot ? AotPurrd : LeanAotPurrd))];

    /// <param name="build">`dotnet purrd.dll`, or a native AOT build (<see cref="AotPurrd"/>, <see cref="LeanAotPurrd"/>).</param>
    public static async Task<Measurement> PurrAsync(PurrdBuild build = PurrdBuild.Jit)
    {
        var nativeAot = build != PurrdBuild.Jit;
        var binary = build == PurrdBuild.LeanNativeAot ? LeanAotPurrd : AotPurrd;
        var port = Launcher.FreePort();
        var data = Directory.CreateTempSubdirectory("purr-bench-cold-").FullName;
        string[] arguments = ["--urls", $"http://127.0.0.1:{port}", "--data", data, "--storage", "sqlite"];
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(new ProcessStartInfo(nativeAot ? binary : "dotnet", nativeAot ? arguments : [BuildOutputs.Purrd, .. arguments])
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
            var (system, method) = build switch
            {
                PurrdBuild.NativeAot => (AotSystem, "artifacts/aot/purrd (dotnet publish -p:PublishAot=true), SQLite store"),
                PurrdBuild.LeanNativeAot => (LeanAotSystem, "artifacts/aot-lean/purrd (dotnet publish -p:PublishAot=true -p:PurrLean=true: no PostgreSQL, Redis or MQTT compiled in), SQLite store"),
                _ => ("Purr", "dotnet purrd.dll, SQLite store, JIT (framework-dependent)"),
            };
            return new Measurement(Name, system, new Dictionary<string, double>
            {
                ["first_accept_ms"] = firstAccept,
                ["first_hello_ms"] = firstHello,
                ["idle_rss_mib"] = ChildProcess.ReadRss(process.Id) / 1048576.0,
            }, method);
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

    /// <summary>JIT and native AOT side by side: the median of the runs, and the targets of issue 16.</summary>
    public static string Markdown(IReadOnlyList<Measurement> runs, string machine, DateTime when)
    {
        var md = new System.Text.StringBuilder();
        md.AppendLine("# S5 cold start: JIT and native AOT purrd, and the relay");
        md.AppendLine();
        md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Generated by `dotnet bench/Purr.Bench/bin/Release/net10.0/purr-bench.dll s5` on {when:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine(machine.TrimEnd());
        md.AppendLine("* method: process start to the first accepted TCP connection and to the first completed hello (a real Purr client's handshake and ping), then resident memory after 3 s idle; SQLite store; the builds and the relay alternate, five runs each, in an order that turns each run, each start 1 s after the one before; medians shown.");
        md.AppendLine();
        md.AppendLine("| build | first accept | first hello | idle RSS |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var row in Medians.PerSystem(runs))
        {
            var build = row.System switch { "Purr" => "JIT (dotnet purrd.dll)", AotSystem => "native AOT", LeanAotSystem => "native AOT, lean (-p:PurrLean=true)", var other => other };
            var hello = row.Values.ContainsKey("first_hello_ms") ? $"{row["first_hello_ms"]:F0} ms" : "(no hello)";
            md.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"| {build} | {row["first_accept_ms"]:F0} ms | {hello} | {row["idle_rss_mib"]:F1} MiB |");
        }

        var jit = runs.Where(r => r.System == "Purr").ToArray();
        md.AppendLine();
        foreach (var (system, label) in new[] { (AotSystem, "native AOT"), (LeanAotSystem, "native AOT, lean") })
        {
            var aot = runs.Where(r => r.System == system).ToArray();
            if (aot.Length == 0)
            {
                continue;
            }

            var aotHello = Medians.Of(aot.Select(r => r["first_hello_ms"]));
            var rss = Medians.Of(aot.Select(r => r["idle_rss_mib"]));
            md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"* {label} / JIT, first hello: {aotHello / Medians.Of(jit.Select(r => r["first_hello_ms"])):F2}x; idle RSS: {rss / Medians.Of(jit.Select(r => r["idle_rss_mib"])):F2}x");
            md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"* {label}: target first hello under 60 ms: {(aotHello < 60 ? "met" : "**not met**")} ({aotHello:F0} ms); idle RSS under 35 MiB: {(rss < 35 ? "met" : "**not met**")} ({rss:F1} MiB)");
        }

        return md.ToString();
    }
}

/// <summary>Which purrd S5 starts.</summary>
internal enum PurrdBuild
{
    Jit,
    NativeAot,
    LeanNativeAot,
}
