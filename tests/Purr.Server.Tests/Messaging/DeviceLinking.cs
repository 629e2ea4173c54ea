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

        var link = await ReadLinkFileAsync(linkFile);
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
        // The joiner failing (or the machine being slow) must say so, not leave a bare timeout.
        var joinerExited = joiner.WaitForExitAsync();
        var first = await Task.WhenAny(codeShown.Task, joinerExited, Task.Delay(TimeSpan.FromSeconds(120)));
        if (first != codeShown.Task)
        {
            if (!joiner.HasExited)
            {
                joiner.Kill();
            }

            if (!linker.HasExited)
            {
                linker.Kill();
            }

            string soFar;
            lock (errors)
            {
                soFar = errors.ToString();
            }

            Assert.Fail($"the linking terminal showed no code ({(first == joinerExited ? "the joining one ended first" : "120 s")}).\nlink: {soFar}\njoin: {await joinOutput}{await joinErrors}");
        }

        var code = await codeShown.Task;
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

    /// <summary>
    /// The link `purr devices link --out-file` wrote, once the whole line is there: read as soon as the file exists, a
    /// slow machine gives half a link (which the joining terminal rightly refuses).
    /// </summary>
    public static async Task<string> ReadLinkFileAsync(string linkFile)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(linkFile) && await File.ReadAllTextAsync(linkFile) is { } text && text.EndsWith('\n'))
            {
                return text.Trim();
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"purr devices link wrote no whole link to {linkFile} within 60 s");
    }

    /// <summary>`purr devices link` running: its link, the code it shows once a device answered, and the answer to give.</summary>
    public sealed class LinkProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly Task<string> output;
        private readonly System.Text.StringBuilder errors = new();
        private readonly TaskCompletionSource<string> codeShown = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task reading;

        private LinkProcess(Process process)
        {
            this.process = process;
            output = process.StandardOutput.ReadToEndAsync();
            reading = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    lock (errors)
                    {
                        errors.AppendLine(line);
                    }

                    if (line.StartsWith("Code: ", StringComparison.Ordinal))
                    {
                        codeShown.TrySetResult(line["Code: ".Length..].Trim());
                    }
                }

                codeShown.TrySetResult("");
            });
        }

        public string Link { get; private set; } = "";

        public static async Task<LinkProcess> StartAsync(string from, string home, params string[] options)
        {
            var linkFile = Path.Combine(home, $"link-{Guid.NewGuid():N}.txt");
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "purr.dll"), "--profile", from, "devices", "link", .. options, "--out-file", linkFile, "--wait", "1"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            start.Environment["PURR_PASSPHRASE"] = "correct horse battery";
            var linker = new LinkProcess(Process.Start(start)!);
            linker.Link = await ReadLinkFileAsync(linkFile);
            return linker;
        }

        /// <summary>The code the terminal shows ("1234 5678") once the new device answered.</summary>
        public Task<string> CodeAsync() => codeShown.Task.WaitAsync(TimeSpan.FromSeconds(120));

        /// <summary>Answers the question and waits for the command to end; returns its exit code and everything it printed.</summary>
        public async Task<(int Exit, string Output)> AnswerAsync(string answer)
        {
            await process.StandardInput.WriteLineAsync(answer);
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
            await reading;
            return (process.ExitCode, await output + errors);
        }

        public ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
