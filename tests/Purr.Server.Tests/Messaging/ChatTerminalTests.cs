using System.Text.Json;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>
/// `purr chat` and `purr room chat` in a real terminal (tmux), typed into as a person would, with a real purrd
/// that is restarted in the middle of a chat.
/// </summary>
public sealed class ChatTerminalTests
{
    private const string Passphrase = "correct horse battery";

    [Fact]
    public async Task A_chat_keeps_the_typed_line_warns_when_the_server_goes_and_resumes_when_it_is_back()
    {
        await using var server = await RestartableServer.StartAsync();
        using var home = new TemporaryDirectory();
        var (alice, bob) = (Path.Combine(home.Path, "alice"), Path.Combine(home.Path, "bob"));
        await ConnectAsync(server, alice, bob);
        await using var chat = await TerminalSession.StartAsync(Passphrase, "--profile", alice, "chat", "bob");
        await chat.WaitForAsync("chatting with bob");

        // Incoming messages go above the line being typed, which is redrawn intact below them.
        await chat.TypeAsync("hel");
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "while you type");
        await chat.WaitForAsync("bob: while you type");
        Assert.EndsWith("bob> hel", await chat.InputLineAsync(), StringComparison.Ordinal);
        await chat.TypeLineAsync("lo there");
        await chat.WaitForAsync("you: hello there");
        Assert.Contains("hello there", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.DoesNotContain("received 1 message", await chat.ScreenAsync(), StringComparison.Ordinal);

        // Slash commands are never sent to the contact: /help helps, a typo is refused.
        await chat.TypeLineAsync("/help");
        await chat.WaitForAsync("commands: /help");
        await chat.TypeLineAsync("/qiut");
        await chat.WaitForAsync("unknown command /qiut: nothing was sent");

        // The server goes away: the chat says so, and a line typed meanwhile waits instead of ending the chat.
        await server.StopAsync();
        await chat.WaitForAsync("disconnected from the server; retrying");
        await chat.TypeLineAsync("typed while it was down");
        await chat.WaitForAsync("wait for the server");

        await server.StartAgainAsync();
        await chat.WaitForAsync("* reconnected");
        await chat.WaitForAsync("you: typed while it was down");
        var atBob = await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");
        Assert.Contains("typed while it was down", atBob, StringComparison.Ordinal);
        Assert.DoesNotContain("/qiut", atBob, StringComparison.Ordinal);
        Assert.DoesNotContain("/help", atBob, StringComparison.Ordinal);

        // Live delivery works again after the restart, without restarting the chat.
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "after the restart");
        await chat.WaitForAsync("bob: after the restart");
        await chat.TypeLineAsync("/quit");
        await chat.WaitForAsync("[purr exited 0]");
    }

    [Fact]
    public async Task Receive_wait_survives_a_server_restart()
    {
        await using var server = await RestartableServer.StartAsync();
        using var home = new TemporaryDirectory();
        var (alice, bob) = (Path.Combine(home.Path, "alice"), Path.Combine(home.Path, "bob"));
        await ConnectAsync(server, alice, bob);
        await using var waiting = await TerminalSession.StartAsync(Passphrase, "--profile", alice, "receive", "--wait", "60");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await server.StopAsync();
        await waiting.WaitForAsync("disconnected from the server; retrying");
        await server.StartAgainAsync();
        await waiting.WaitForAsync("reconnected");
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "after the restart");
        await waiting.WaitForAsync("bob: after the restart");
        await waiting.WaitForAsync("[purr exited 0]");
    }

    private static async Task ConnectAsync(RestartableServer server, string alice, string bob)
    {
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address, "--display-name", "Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address, "--display-name", "Bob");
        var card = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "invite", "--name", "bob")).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "accept", card, "--name", "alice");
        await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10");
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");
    }
}
