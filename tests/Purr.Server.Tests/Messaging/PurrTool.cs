using System.Diagnostics;

namespace Purr.Server.Tests.Messaging;

/// <summary>Runs the `purr` tool as a separate process, as a user would, with the passphrase in PURR_PASSPHRASE.</summary>
public static class PurrTool
{
    private static readonly string Purr = Path.Combine(AppContext.BaseDirectory, "purr.dll");

    public static Task<string> RunAsync(int expectedExit, params string[] args) => RunWithAsync(expectedExit, "correct horse battery", args);

    public static Task<string> RunWithAsync(int expectedExit, string passphrase, params string[] args) =>
        RunWithAsync(expectedExit, passphrase, new Dictionary<string, string>(), args);

    /// <param name="environment">More variables for the process (PURR_SERVER_PASSWORD, PURR_ACCOUNT_PASSWORD).</param>
    public static async Task<string> RunWithAsync(int expectedExit, string passphrase, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Purr, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["PURR_PASSPHRASE"] = passphrase;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var all = await output + await error;
        Assert.True(expectedExit == process.ExitCode, $"purr {string.Join(' ', args)} exited {process.ExitCode}: {all}");
        return all;
    }
}
