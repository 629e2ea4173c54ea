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

    public static async Task<Measurement> PurrAsync()
    {
        var port = Launcher.FreePort();
        var data = Directory.CreateTempSubdirectory("purr-bench-cold-").FullName;
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(new ProcessStartInfo("dotnet", [BuildOutputs.Purrd, "--urls", $"http://127.0.0.1:{port}", "--data", data, "--storage", "sqlite"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            // The key is not known before the server made it; read it from the file it wrote, then connect properly.
            await Launcher.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
            var firstAccept = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var key = File.ReadAllBytes(Path.Combine(data, "server.key"));
            using var pair = Purr.Crypto.Ed25519KeyPair.FromSeed(key.AsSpan(0, 32));
            await using (var connection = await PurrConnection.ConnectAsync(new PurrAddress(pair.PublicKey, "127.0.0.1", port)))
            {
                await connection.PingAsync();
            }

            var firstHello = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await Task.Delay(3000);
            return new Measurement(Name, "Purr", new Dictionary<string, double>
            {
                ["first_accept_ms"] = firstAccept,
                ["first_hello_ms"] = firstHello,
                ["idle_rss_mib"] = ChildProcess.ReadRss(process.Id) / 1048576.0,
            }, "dotnet purrd.dll, SQLite store, framework-dependent (no native AOT in this registry)");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    public static async Task<Measurement> GenericAsync(string system, Func<int, ProcessStartInfo> start)
    {
        var port = Launcher.FreePort();
        var started = Stopwatch.GetTimestamp();
        var info = start(port);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info)!;
        try
        {
            await Launcher.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
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

}
