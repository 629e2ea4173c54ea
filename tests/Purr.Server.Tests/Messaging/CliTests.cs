using System.Text.Json;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>The `purr` tool run as a new user would run it: separate processes, two profile directories, a real server.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Two_profiles_exchange_a_card_and_messages_with_the_cli()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        var bob = Path.Combine(home.Path, "bob");
        var address = server.Address.ToString();

        await RunAsync(0, "--profile", alice, "init", "--server", address, "--display-name", "Alice");
        await RunAsync(0, "--profile", bob, "init", "--server", address, "--display-name", "Bob");
        var cardFile = Path.Combine(home.Path, "card.txt");
        var invite = await RunAsync(0, "--profile", alice, "--json", "invite", "--name", "bob", "--out", cardFile);
        var link = JsonDocument.Parse(invite).RootElement.GetProperty("link").GetString()!;
        Assert.StartsWith("purr:card/", link, StringComparison.Ordinal);
        Assert.Equal(link, (await File.ReadAllTextAsync(cardFile)).Trim());

        await RunAsync(0, "--profile", bob, "accept", cardFile, "--name", "alice");
        var established = await RunAsync(0, "--profile", alice, "receive", "--wait", "10", "--json");
        Assert.Contains("\"type\":\"contact\"", established, StringComparison.Ordinal);
        await RunAsync(0, "--profile", bob, "receive", "--json");

        await RunAsync(0, "--profile", bob, "send", "alice", "hello from the terminal");
        var atAlice = JsonDocument.Parse(await RunAsync(0, "--profile", alice, "receive", "--wait", "10", "--json")).RootElement;
        Assert.Contains(atAlice.EnumerateArray(), e => e.GetProperty("type").GetString() == "text"
            && e.GetProperty("text").GetString() == "hello from the terminal" && e.GetProperty("from").GetString() == "bob");

        await RunAsync(0, "--profile", alice, "send", "bob", "hello back");
        var atBob = await RunAsync(0, "--profile", bob, "receive", "--wait", "10", "--json");
        Assert.Contains("hello back", atBob, StringComparison.Ordinal);

        var contacts = await RunAsync(0, "--profile", alice, "contacts");
        Assert.Contains("bob", contacts, StringComparison.Ordinal);
        var verify = await RunAsync(0, "--profile", alice, "--json", "verify", "bob");
        var code = JsonDocument.Parse(verify).RootElement.GetProperty("safetyCode").GetString();
        Assert.Equal(code, JsonDocument.Parse(await RunAsync(0, "--profile", bob, "--json", "verify", "alice")).RootElement.GetProperty("safetyCode").GetString());

        // Clear errors, non-zero exits.
        Assert.Contains("already accepted", await RunAsync(1, "--profile", bob, "accept", link, "--name", "again"), StringComparison.Ordinal);
        Assert.Contains("no contact named", await RunAsync(1, "--profile", bob, "send", "carol", "hi"), StringComparison.Ordinal);
        Assert.Contains("wrong passphrase", await RunWithAsync(1, "not it", "--profile", bob, "contacts"), StringComparison.Ordinal);
        var impostor = address.Replace(address[7..50], new string('A', 43), StringComparison.Ordinal);
        Assert.Contains("refusing to connect", await RunAsync(1, "ping", impostor), StringComparison.Ordinal);
        Assert.Contains("could not reach", await RunAsync(1, "ping", $"purr://{address[7..50]}@127.0.0.1:1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newcomer_creates_a_room_shares_the_link_and_chats_with_the_cli()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        var bob = Path.Combine(home.Path, "bob");
        await RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        await RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString());

        var created = JsonDocument.Parse(await RunAsync(0, "--profile", alice, "--json", "room", "create", "--persistent", "--name", "garden")).RootElement;
        var link = created.GetProperty("link").GetString()!;
        Assert.StartsWith("purr:room/", link, StringComparison.Ordinal);
        await RunAsync(0, "--profile", bob, "room", "join", link, "--as", "Bob", "--name", "garden");

        await RunAsync(0, "--profile", alice, "room", "send", "garden", "welcome to the garden");
        Assert.Contains("welcome to the garden", await RunAsync(0, "--profile", bob, "room", "receive", "garden", "--wait", "10", "--json"), StringComparison.Ordinal);
        await RunAsync(0, "--profile", bob, "room", "send", "garden", "thanks Alice");
        Assert.Contains("Bob: thanks Alice", await RunAsync(0, "--profile", alice, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);

        var members = await RunAsync(0, "--profile", alice, "room", "members", "garden");
        Assert.Contains("Bob\tmember", members, StringComparison.Ordinal);
        await RunAsync(0, "--profile", alice, "room", "whisper", "garden", "Bob", "just for you");
        Assert.Contains("(whispers): just for you", await RunAsync(0, "--profile", bob, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);

        await RunAsync(0, "--profile", alice, "room", "kick", "garden", "Bob");
        Assert.Contains("no longer in 'garden'", await RunAsync(1, "--profile", bob, "room", "send", "garden", "still here?"), StringComparison.Ordinal);
        await RunAsync(0, "--profile", alice, "room", "stop", "garden");
    }

    [Fact]
    public async Task A_room_owner_knows_joiners_by_name_before_reading_anything()
    {
        // Outside testing: after B and C joined with --as, A's first `room members` showed "member xxxx" for both,
        // so whisper and kick by name failed. A one-shot command now handles what waited in the room mailbox first.
        await using var server = await RunningServer.StartAsync("sqlite");
        using var home = new TestKit.TemporaryDirectory();
        var (alice, bob, carol) = (Path.Combine(home.Path, "a"), Path.Combine(home.Path, "b"), Path.Combine(home.Path, "c"));
        foreach (var profile in new[] { alice, bob, carol })
        {
            await RunAsync(0, "--profile", profile, "init", "--server", server.Address.ToString());
        }

        var link = JsonDocument.Parse(await RunAsync(0, "--profile", alice, "--json", "room", "create", "--persistent", "--name", "g"))
            .RootElement.GetProperty("link").GetString()!;
        await RunAsync(0, "--profile", bob, "room", "join", link, "--as", "Bob", "--name", "g");
        await RunAsync(0, "--profile", carol, "room", "join", link, "--as", "Carol", "--name", "g");

        var members = await RunAsync(0, "--profile", alice, "room", "members", "g");
        Assert.Contains("Bob\tmember", members, StringComparison.Ordinal);
        Assert.Contains("Carol\tmember", members, StringComparison.Ordinal);
        await RunAsync(0, "--profile", alice, "room", "whisper", "g", "Carol", "psst");
        Assert.Contains("psst", await RunAsync(0, "--profile", carol, "room", "receive", "g", "--wait", "10"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receive_ends_cleanly_when_a_contact_removed_us_right_after_our_mailbox_move()
    {
        // Outside testing: `purr receive` exited 1 with an Auth error (it fetched from a mailbox it had just deleted).
        await using var server = await RunningServer.StartAsync();
        using var home = new TestKit.TemporaryDirectory();
        var (alice, bob) = (Path.Combine(home.Path, "a"), Path.Combine(home.Path, "b"));
        await RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "A");
        await RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "B");
        var card = JsonDocument.Parse(await RunAsync(0, "--profile", alice, "--json", "invite", "--name", "b")).RootElement.GetProperty("link").GetString()!;
        await RunAsync(0, "--profile", bob, "accept", card, "--name", "a");
        await RunAsync(0, "--profile", alice, "receive", "--wait", "10");
        await RunAsync(0, "--profile", bob, "receive");
        await RunAsync(0, "--profile", alice, "move", "b");
        Assert.Contains("moved", await RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await RunAsync(0, "--profile", bob, "remove", "a");
        Assert.Contains("removed you", await RunAsync(0, "--profile", alice, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("no contacts", await RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_cancels_a_card_not_yet_answered_and_its_acceptor_is_told_and_keeps_nothing()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TestKit.TemporaryDirectory();
        var (alice, bob) = (Path.Combine(home.Path, "a"), Path.Combine(home.Path, "b"));
        await RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "A");
        await RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "B");
        var card = JsonDocument.Parse(await RunAsync(0, "--profile", alice, "--json", "invite", "--name", "b")).RootElement.GetProperty("link").GetString()!;
        Assert.Contains("cancelled", await RunAsync(0, "--profile", alice, "remove", "b"), StringComparison.Ordinal);
        Assert.Contains("no contacts", await RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);
        Assert.Contains("already used or cancelled", await RunAsync(1, "--profile", bob, "accept", card, "--name", "a"), StringComparison.Ordinal);
        Assert.Contains("no contacts", await RunAsync(0, "--profile", bob, "contacts"), StringComparison.Ordinal);
        Assert.Contains("no contact named", await RunAsync(1, "--profile", alice, "remove", "b"), StringComparison.Ordinal);
    }

    private static Task<string> RunAsync(int expectedExit, params string[] args) => PurrTool.RunAsync(expectedExit, args);

    private static Task<string> RunWithAsync(int expectedExit, string passphrase, params string[] args) => PurrTool.RunWithAsync(expectedExit, passphrase, args);
}
