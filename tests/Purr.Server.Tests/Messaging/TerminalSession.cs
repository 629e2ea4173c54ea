using System.Diagnostics;

namespace Purr.Server.Tests.Messaging;

/// <summary>
/// The `purr` tool in a real terminal: a tmux session of its own (a private tmux server per test), typed into
/// key by key and read back as the screen shows it, as a person at the keyboard would see it.
/// </summary>
public sealed class TerminalSession : IAsyncDisposable
{
    private static readonly string Purr = Path.Combine(AppContext.BaseDirectory, "purr.dll");
    private readonly string socket;

    private TerminalSession(string socket) => this.socket = socket;

    /// <summary>Starts `purr ARGS` in a 100×30 terminal; when it exits the pane says "[purr exited N]".</summary>
    public static async Task<TerminalSession> StartAsync(string passphrase, params string[] args)
    {
        var session = new TerminalSession($"purr-test-{Guid.NewGuid():N}");
        var command = $"dotnet {Quote(Purr)} {string.Join(' ', args.Select(Quote))}; echo \"[purr exited $?]\"; sleep 600";
        await session.TmuxAsync("new-session", "-d", "-x", "100", "-y", "30", "-e", $"PURR_PASSPHRASE={passphrase}", "bash", "-c", command);
        return session;
    }

    /// <summary>Types text as keystrokes (no Enter).</summary>
    public Task TypeAsync(string text) => TmuxAsync("send-keys", "-l", text);

    public async Task TypeLineAsync(string text)
    {
        await TypeAsync(text);
        await TmuxAsync("send-keys", "Enter");
    }

    /// <summary>The screen and its scrollback, as text.</summary>
    public Task<string> ScreenAsync() => TmuxAsync("capture-pane", "-p", "-J", "-S", "-500");

    /// <summary>Waits until the screen shows <paramref name="text"/>; fails with the screen if it never does.</summary>
    public async Task<string> WaitForAsync(string text, int seconds = 30)
    {
        var deadline = Stopwatch.StartNew();
        string screen;
        do
        {
            screen = await ScreenAsync();
            if (screen.Contains(text, StringComparison.Ordinal))
            {
                return screen;
            }

            await Task.Delay(100);
        }
        while (deadline.Elapsed < TimeSpan.FromSeconds(seconds));
        Assert.Fail($"the terminal never showed '{text}'; it shows:\n{screen}");
        return screen;
    }

    /// <summary>The bottom line with text on it: where the prompt and the line being typed are.</summary>
    public async Task<string> InputLineAsync()
    {
        var lines = (await TmuxAsync("capture-pane", "-p")).Split('\n');
        return lines.LastOrDefault(l => l.Trim().Length > 0)?.TrimEnd() ?? "";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync("kill-server");
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Already gone.
        }
    }

    private async Task<string> TmuxAsync(string command, params string[] args)
    {
        List<string> line = ["-L", socket, command];
        line.AddRange(command switch
        {
            "new-session" => ["-s", "main"],
            "send-keys" or "capture-pane" => ["-t", "main"],
            _ => [],
        });
        line.AddRange(args);
        var start = new ProcessStartInfo("tmux", line) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"tmux {command} {string.Join(' ', args)} failed: {error}");
        return output;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
