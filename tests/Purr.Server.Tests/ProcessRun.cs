using System.Diagnostics;

namespace Purr.Server.Tests;

/// <summary>Runs a program to its end, as an operator's shell would, and returns its exit code and everything it printed.</summary>
internal static class ProcessRun
{
    /// <param name="input">Written to the program's standard input, which is then closed.</param>
    public static async Task<(int Exit, string Output)> RunAsync(
        string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null, string? input = null)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output + await error);
    }
}
