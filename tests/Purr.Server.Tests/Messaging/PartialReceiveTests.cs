using Purr.Client;
using Purr.Client.Messaging;

namespace Purr.Server.Tests.Messaging;

/// <summary>A profile whose mailboxes live on several servers still reads the reachable ones when one is down.</summary>
public sealed class PartialReceiveTests
{
    [Fact]
    public async Task Receive_reads_the_servers_it_reaches_and_names_the_one_it_does_not()
    {
        await using var first = await RunningServer.StartAsync();
        var second = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(first, "Alice");
        var bob = profiles.Create(first, "Bob");
        var carol = profiles.Create(second, "Carol");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        var card = await alice.InviteAsync("carol", "Alice", TimeSpan.FromDays(1), second.Address.ToString());
        await carol.AcceptAsync(card.Link, "alice", "Carol");
        Assert.Contains(await alice.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactEstablished);

        await bob.SendTextAsync("alice", "from bob, on the server that is up");
        await second.DisposeAsync();
        var events = await alice.ReceiveAsync(TimeSpan.Zero);
        Assert.Equal("from bob, on the server that is up", Assert.Single(events.OfType<TextReceived>()).Text);
        Assert.Equal(second.Address.ToString(), Assert.Single(events.OfType<ServerUnreachable>()).Server);

        // With a wait, the warning does not end it: what comes from the reachable server still arrives.
        var waiting = alice.ReceiveAsync(TimeSpan.FromSeconds(10));
        await bob.SendTextAsync("alice", "while you wait");
        Assert.Contains((await waiting).OfType<TextReceived>(), t => t.Text == "while you wait");
    }

    [Fact]
    public async Task Receive_fails_when_no_server_of_the_profile_answers()
    {
        var only = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(only, "Alice");
        var bob = profiles.Create(only, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        await only.DisposeAsync();
        await Assert.ThrowsAsync<PurrConnectionException>(() => alice.ReceiveAsync(TimeSpan.Zero));
    }
}
