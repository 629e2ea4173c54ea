using System.Text;
using System.Text.Json;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>Issue 15, history: `purr history` shows what was sent and received, across runs, and the file keeps it sealed.</summary>
public sealed class HistoryCliTests
{
    [Fact]
    public async Task Purr_history_shows_both_sides_searches_and_deletes_and_the_file_is_sealed()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        var link = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "invite", "--name", "bob")).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "accept", link, "--name", "alice");
        await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10");
        await PurrTool.RunAsync(0, "--profile", bob, "receive");

        await PurrTool.RunAsync(0, "--profile", alice, "send", "bob", "the parcel is under the blue bench");
        Assert.Contains("blue bench", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "thanks, picking it up at six");

        var atAlice = await PurrTool.RunAsync(0, "--profile", alice, "history", "bob");
        Assert.Contains("me: the parcel is under the blue bench", atAlice, StringComparison.Ordinal);
        var atBob = await PurrTool.RunAsync(0, "--profile", bob, "history", "alice");
        Assert.Contains("alice: the parcel is under the blue bench", atBob, StringComparison.Ordinal);
        Assert.Contains("me: thanks, picking it up at six", atBob, StringComparison.Ordinal);

        var found = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "history", "alice", "--search", "SIX", "--since", "1h")).RootElement;
        Assert.Equal("thanks, picking it up at six", found.EnumerateArray().Single().GetProperty("text").GetString());
        Assert.Equal("no messages kept", (await PurrTool.RunAsync(0, "--profile", bob, "history", "alice", "--since", "2999-01-01")).Trim());

        var file = await File.ReadAllBytesAsync(Path.Combine(bob, "history.purr"));
        foreach (var secret in new[] { "parcel", "bench", "six", "alice" })
        {
            Assert.Equal(-1, file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        }

        Assert.Contains("wrong passphrase", await PurrTool.RunWithAsync(1, "not the passphrase", "--profile", bob, "history", "alice"), StringComparison.Ordinal);
        Assert.Contains("--since takes a date", await PurrTool.RunAsync(2, "--profile", bob, "history", "alice", "--since", "yesterday"), StringComparison.Ordinal);
        Assert.Contains("deleted 2 message(s)", await PurrTool.RunAsync(0, "--profile", bob, "history", "alice", "--delete"), StringComparison.Ordinal);
        Assert.Equal("no messages kept", (await PurrTool.RunAsync(0, "--profile", bob, "history", "alice")).Trim());
        Assert.Contains("the parcel", await PurrTool.RunAsync(0, "--profile", alice, "history", "bob"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rooms_texts_are_kept_with_who_said_them_apart_from_a_contact_of_the_same_name()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        var created = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "room", "create", "--persistent", "--name", "garden")).RootElement;
        await PurrTool.RunAsync(0, "--profile", bob, "room", "join", created.GetProperty("link").GetString()!, "--as", "Bob", "--name", "garden");

        await PurrTool.RunAsync(0, "--profile", bob, "room", "send", "garden", "the roses need water");
        Assert.Contains("the roses need water", await PurrTool.RunAsync(0, "--profile", alice, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", alice, "room", "send", "garden", "I will bring the can");

        var atAlice = await PurrTool.RunAsync(0, "--profile", alice, "history", "garden", "--room");
        Assert.Contains("Bob: the roses need water", atAlice, StringComparison.Ordinal);
        Assert.Contains("me: I will bring the can", atAlice, StringComparison.Ordinal);
        var atBob = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "history", "garden", "--room", "--search", "roses")).RootElement;
        Assert.Equal("me", atBob.EnumerateArray().Single().GetProperty("from").GetString());

        // A room's history is not a contact's: the name alone finds no contact.
        Assert.Contains("no contact or history named 'garden'", await PurrTool.RunAsync(2, "--profile", alice, "history", "garden"), StringComparison.Ordinal);
        Assert.Contains("deleted 2 message(s)", await PurrTool.RunAsync(0, "--profile", alice, "history", "garden", "--room", "--delete"), StringComparison.Ordinal);
        Assert.Equal("no messages kept", (await PurrTool.RunAsync(0, "--profile", alice, "history", "garden", "--room")).Trim());
    }
}
