using System.Diagnostics;
#pragma warning disable CA2213
using System.Globalization;
using Purr.Protocol;
using Purr.Server.Host;

namespace Purr.Server.Tests;

/// <summary>
/// A real purrd process (the built Purr.Server.Host), for tests that signal or kill it. With PURR_PURRD set to an
/// executable (scripts/test-aot.sh sets it to the native AOT build), that binary runs instead.
/// </summary>
internal sealed class PurrdProcess : IDisposable
{
    private readonly Process process;
    private Task<string[]>? output;

    private PurrdProcess(Process process, PurrAddress address)
    {
        this.process = process;
        Address = address;
    }

    public PurrAddress Address { get; }

    public int ExitCode => process.ExitCode;

    public bool HasExited => process.HasExited;

    public int Id => process.Id;

    public static Task<PurrdProcess> StartAsync(string dataDirectory, params string[] extraArgs) =>
        StartAsync(dataDirectory, descriptorLimit: null, extraArgs);

    /// <param name="descriptorLimit">Runs purrd under <c>ulimit -n</c> of this many descriptors.</param>
    public static async Task<PurrdProcess> StartAsync(string dataDirectory, int? descriptorLimit, params string[] extraArgs)
    {
        string[] purrd = Environment.GetEnvironmentVariable("PURR_PURRD") is { Length: > 0 } native
            ? [native]
            : ["dotnet", typeof(PurrHost).Assembly.Location];
        string[] command = [.. purrd, "--urls", "http://127.0.0.1:0", "--data", dataDirectory, .. extraArgs];
        var start = descriptorLimit is { } limit
            ? new ProcessStartInfo("bash", ["-c", $"ulimit -n {limit} && exec \"$@\"", "purrd", .. command])
            : new ProcessStartInfo(command[0], command[1..]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            const string marker = "purrd listening: ";
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                // Keep draining both streams so the child never blocks on a full pipe.
                var started = new PurrdProcess(process, PurrAddress.Parse(line[marker.Length..]));
                started.output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(CancellationToken.None), process.StandardError.ReadToEndAsync(CancellationToken.None));
                // The admin socket appears just after the start line: tests that run purrctl next wait for it here.
                if (!extraArgs.Any(a => a.StartsWith("--Modules", StringComparison.Ordinal)))
                {
                    for (var waited = 0; !File.Exists(Path.Combine(dataDirectory, "purrd.sock")) && waited < 200; waited++)
                    {
                        await Task.Delay(25);
                    }
                }

                return started;
            }
        }

        var error = await process.StandardError.ReadToEndAsync(CancellationToken.None);
        process.Kill();
        process.Dispose();
        throw new InvalidOperationException($"purrd did not start: {error}");
    }

    /// <summary>What the process wrote to stdout and stderr after its start line (once it has exited).</summary>
    public async Task<string> OutputAsync() => output is null ? "" : string.Join("\n", await output);

    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }

        process.Dispose();
    }
}
