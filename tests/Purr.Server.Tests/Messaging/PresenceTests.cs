using Microsoft.Extensions.DependencyInjection;
using Purr.Client.Messaging;
using Purr.Core.Mailboxes;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Messaging;

/// <summary>
/// Encrypted presence (PROTOCOL.md 10.9): opt-in, end to end, live only. A running client answers queries and sends
/// changes; a stopped one says offline and then answers nothing; the server stores none of it.
/// </summary>
public sealed class PresenceTests
{
    [Fact]
    public async Task Presence_reaches_contacts_while_a_client_runs_stops_when_it_goes_and_is_never_stored()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        var carol = profiles.Create(server, "Carol");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        await TestProfiles.ConnectAsync(alice, "carol", carol, "alice");

        // Opt-in on both sides; the channels travel in the ratchet like any message.
        await alice.SetPresenceAsync(PresenceStatus.Online);
        await bob.SetPresenceAsync(PresenceStatus.Online, "around");
        await bob.ReceiveAsync(TimeSpan.FromSeconds(5));
        await alice.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(alice.Contact("bob").PresenceOutbox);
        Assert.NotNull(bob.Contact("alice").PresenceOutbox);
        Assert.Null(alice.Contact("carol").PresenceOutbox);

        // Bob's client runs: Alice's query is answered. Carol never turned presence on: she answers nothing.
        using var bobRunning = new CancellationTokenSource();
        var bobEvents = new List<MessengerEvent>();
        var bobListening = bob.ListenAsync(e => { lock (bobEvents) { bobEvents.Add(e); } return false; }, null, bobRunning.Token);
        await Task.Delay(500);
        var answers = await alice.QueryPresenceAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((PresenceStatus.Online, "around"), (answers["bob"].Status, answers["bob"].Text));
        Assert.False(answers.ContainsKey("carol"));

        // Alice listens; Bob changes status and she hears it at once.
        using var aliceRunning = new CancellationTokenSource();
        var aliceEvents = new List<PresenceChanged>();
        var aliceListening = alice.ListenAsync(e => { if (e is PresenceChanged p) { lock (aliceEvents) { aliceEvents.Add(p); } } return false; }, null, aliceRunning.Token);
        await Task.Delay(500);
        await bobRunning.CancelAsync();
        await Ignore(bobListening);
        await bob.SetPresenceAsync(PresenceStatus.Busy, "in a meeting");
        await WaitUntilAsync(() => { lock (aliceEvents) { return aliceEvents.Any(p => p.Status == PresenceStatus.Busy && p.Text == "in a meeting"); } });

        // Bob's client stops: it says so, and afterwards nothing answers for him.
        await bob.AnnouncePresenceAsync(offline: true);
        await WaitUntilAsync(() => { lock (aliceEvents) { return aliceEvents.Last().Status == PresenceStatus.Offline; } });
        await aliceRunning.CancelAsync();
        await Ignore(aliceListening);
        Assert.False((await alice.QueryPresenceAsync(TimeSpan.FromSeconds(1))).ContainsKey("bob"));

        // Nothing of it was ever stored: once Carol has read the channel Alice offered her (a ratchet message, stored as
        // any), every mailbox on the server is empty.
        await carol.ReceiveAsync(TimeSpan.FromSeconds(5));
        var store = server.Services.GetRequiredService<IMailboxStore>();
        Assert.Equal(0, (await store.TotalsAsync(DateTimeOffset.UtcNow)).Messages);
    }

    [Fact]
    public async Task A_contact_who_is_not_shared_with_gets_no_answer_and_presence_can_be_turned_off()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        await alice.SetPresenceAsync(PresenceStatus.Online);
        await bob.SetPresenceAsync(PresenceStatus.Away);
        await bob.ReceiveAsync(TimeSpan.FromSeconds(5));
        await alice.ReceiveAsync(TimeSpan.FromSeconds(5));
        await bob.SetSharePresenceAsync("alice", false);

        using var bobRunning = new CancellationTokenSource();
        var listening = bob.ListenAsync(_ => false, null, bobRunning.Token);
        await Task.Delay(500);
        Assert.Empty(await alice.QueryPresenceAsync(TimeSpan.FromSeconds(1)));
        await bob.SetSharePresenceAsync("alice", true);
        Assert.Equal(PresenceStatus.Away, (await alice.QueryPresenceAsync(TimeSpan.FromSeconds(5)))["bob"].Status);

        // Off: Bob's presence mailboxes are gone; Alice's client forgets the channel on its next try.
        await bob.DisablePresenceAsync();
        Assert.Null(bob.Contact("alice").PresenceInbox);
        Assert.Empty(await alice.QueryPresenceAsync(TimeSpan.FromSeconds(1)));
        await alice.SetPresenceAsync(PresenceStatus.Online);
        Assert.Null(alice.Contact("bob").PresenceOutbox);
        await bobRunning.CancelAsync();
        await Ignore(listening);
        await Assert.ThrowsAsync<MessengerException>(() => alice.SetPresenceAsync(PresenceStatus.Online, new string('x', 81)));
    }

    private static async Task Ignore(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(50);
        }
    }
}
