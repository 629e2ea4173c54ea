using System.Text.Json;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>`purr room chat` in real terminals (tmux): names, joins, leaving, kicks and the end of a room, as members see them.</summary>
public sealed class RoomChatTerminalTests
{
    private const string Passphrase = "correct horse battery";

    [Fact]
    public async Task Members_are_known_by_the_names_they_joined_with_and_chats_end_when_the_room_ends_for_them()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        using var home = new TemporaryDirectory();
        var (alice, bob, carol) = (Path.Combine(home.Path, "a"), Path.Combine(home.Path, "b"), Path.Combine(home.Path, "c"));
        foreach (var profile in new[] { alice, bob, carol })
        {
            await PurrTool.RunAsync(0, "--profile", profile, "init", "--server", server.Address.ToString());
        }

        var link = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "room", "create", "--persistent", "--name", "garden"))
            .RootElement.GetProperty("link").GetString()!;
        await using var owner = await TerminalSession.StartAsync(Passphrase, "--profile", alice, "room", "chat", "garden");
        await owner.WaitForAsync("in 'garden'");

        // The joiner's room is called what its creator called it; the join shows the name given with --as.
        Assert.Contains("called 'garden'", await PurrTool.RunAsync(0, "--profile", bob, "room", "join", link, "--as", "Bob"), StringComparison.Ordinal);
        await owner.WaitForAsync("* Bob joined");
        await PurrTool.RunAsync(0, "--profile", carol, "room", "join", link, "--as", "Carol");
        await owner.WaitForAsync("* Carol joined");

        await using var guest = await TerminalSession.StartAsync(Passphrase, "--profile", bob, "room", "chat", "garden");
        await guest.WaitForAsync("in 'garden'");
        await using var kicked = await TerminalSession.StartAsync(Passphrase, "--profile", carol, "room", "chat", "garden");
        await kicked.WaitForAsync("in 'garden'");

        // Unknown commands are not sent; /help helps.
        await guest.TypeLineAsync("/halp");
        await guest.WaitForAsync("unknown command or missing argument: /halp");
        await guest.TypeLineAsync("hello garden");
        await owner.WaitForAsync("Bob: hello garden");
        Assert.DoesNotContain("/halp", await owner.ScreenAsync(), StringComparison.Ordinal);

        // A name nobody has: the hint points at the chat's own command, not at a shell command.
        await owner.TypeLineAsync("/kick nobody");
        await owner.WaitForAsync("no member 'nobody'; /members lists them");

        // The owner kicks by the joined name, in any case; the kicked member's chat ends and forgets the room.
        await owner.TypeLineAsync("/kick carol");
        await owner.WaitForAsync("* Carol was removed");
        await kicked.WaitForAsync("you were removed from the room; 'garden' was taken out of this profile");
        await kicked.WaitForAsync("[purr exited 0]");
        Assert.Contains("no room named 'garden'", await PurrTool.RunAsync(2, "--profile", carol, "room", "members", "garden"), StringComparison.Ordinal);

        // A voluntary /exit: one line at the others, no "kicked" for the leaver, the room gone from its profile at once.
        await guest.TypeLineAsync("/exit see you");
        await guest.WaitForAsync("you left the room; 'garden' was taken out of this profile");
        var leaverScreen = await guest.WaitForAsync("[purr exited 0]");
        Assert.DoesNotContain("you were removed", leaverScreen, StringComparison.Ordinal);
        await owner.WaitForAsync("* Bob left: see you");
        await Task.Delay(500);
        Assert.DoesNotContain("* Bob left\n", (await owner.ScreenAsync()) + "\n", StringComparison.Ordinal);
        Assert.Contains("no room named 'garden'", await PurrTool.RunAsync(2, "--profile", bob, "room", "members", "garden"), StringComparison.Ordinal);

        await owner.TypeLineAsync("/stop");
        await owner.WaitForAsync("you ended the room for everyone; 'garden' was taken out of this profile");
        await owner.WaitForAsync("[purr exited 0]");
    }

    [Fact]
    public async Task A_room_chat_resumes_a_persistent_room_after_a_server_restart_and_ends_a_transient_one()
    {
        await using var server = await RestartableServer.StartAsync();
        using var home = new TemporaryDirectory();
        var (alice, bob) = (Path.Combine(home.Path, "a"), Path.Combine(home.Path, "b"));
        foreach (var profile in new[] { alice, bob })
        {
            await PurrTool.RunAsync(0, "--profile", profile, "init", "--server", server.Address);
        }

        var link = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "room", "create", "--persistent", "--name", "garden"))
            .RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "room", "join", link, "--as", "Bob");
        await PurrTool.RunAsync(0, "--profile", alice, "room", "create", "--transient", "--name", "hallway");
        await using var garden = await TerminalSession.StartAsync(Passphrase, "--profile", alice, "room", "chat", "garden");
        await using var hallway = await TerminalSession.StartAsync(Passphrase, "--profile", alice, "room", "chat", "hallway");
        await garden.WaitForAsync("in 'garden'");
        await hallway.WaitForAsync("in 'hallway'");

        await server.StopAsync();
        await garden.WaitForAsync("disconnected from the server; retrying");
        await server.StartAgainAsync();
        await garden.WaitForAsync("* reconnected");
        await PurrTool.RunAsync(0, "--profile", bob, "room", "send", "garden", "still here after the restart");
        await garden.WaitForAsync("Bob: still here after the restart");

        // A transient room lives in the server's memory: after a restart it is gone, and the chat says so.
        await hallway.WaitForAsync("the room is gone");
        await hallway.WaitForAsync("[purr exited 0]");
    }
}
