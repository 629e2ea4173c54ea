using System.Diagnostics;

namespace Purr.Server.Tests.Messaging;

/// <summary>Two terminals linking a device: `purr devices link` on one, `purr devices join` on the other, the code question answered.</summary>
public static class DeviceLinking
{
    /// <summary>Runs `purr devices link` on <paramref name="from"/> and `purr devices join` into <paramref name="joining"/>, answering the code question.</summary>
    public static async Task<(string Link, string Join)> LinkAndJoinAsync(string from, string joining, string home, string answer, params string[] linkOptions)
    {
        var linkFile = Path.Combine(home, $"link-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "purr.dll"), "--profile", from, "devices", "link", .. linkOptions, "--out-file", linkFile, "--wait", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["PURR_PASSPHRASE"] = "correct horse battery";
        using var linker = Process.Start(start)!;
        var output = linker.StandardOutput.ReadToEndAsync();
        var errors = new System.Text.StringBuilder();
        var codeShown = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            while (await linker.StandardError.ReadLineAsync() is { } line)
            {
                lock (errors)
                {
                    errors.AppendLine(line);
                }

                if (line.StartsWith("Code: ", StringComparison.Ordinal))
                {
                    codeShown.TrySetResult(line);
                }
            }

            codeShown.TrySetResult("");
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.Exists(linkFile) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var link = (await File.ReadAllTextAsync(linkFile)).Trim();
        var joinStart = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "purr.dll"), "--profile", joining, "devices", "join", link, "--wait", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        joinStart.Environment["PURR_PASSPHRASE"] = "correct horse battery";
        using var joiner = Process.Start(joinStart)!;
        joiner.StandardInput.Close();
        var joinOutput = joiner.StandardOutput.ReadToEndAsync();
        var joinErrors = joiner.StandardError.ReadToEndAsync();
        var code = await codeShown.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("Code: ", code, StringComparison.Ordinal);
        await linker.StandardInput.WriteLineAsync(answer);
        linker.StandardInput.Close();
        await linker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        if (answer != "y")
        {
            // The refused device waits for a profile that never comes.
            joiner.Kill();
        }

        await joiner.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var joined = await joinOutput + await joinErrors;
        Assert.True(answer != "y" || joiner.ExitCode == 0, joined);
        await reading;
        var all = await output + errors;
        Assert.Equal(answer == "y" ? 0 : 1, linker.ExitCode);
        if (answer == "y")
        {
            // The same code on both screens.
            Assert.Contains(code, joined, StringComparison.Ordinal);
        }

        return (all, joined);
    }
}
