using Microsoft.Data.Sqlite;
using Purr.Client.EndToEnd;
using Purr.Client.Messaging;
using Purr.Crypto;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

public sealed class MessengerTests
{
    [Fact]
    public async Task Two_profiles_exchange_a_card_and_talk_both_ways_with_receipts()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        Assert.Equal("Bob", alice.Contact("bob").DisplayName);
        Assert.Equal("Alice", bob.Contact("alice").DisplayName);

        var sent = await bob.SendTextAsync("alice", "hello Alice");
        var atAlice = await alice.ReceiveAsync(TimeSpan.FromSeconds(10));
        var text = Assert.Single(atAlice.OfType<TextReceived>());
        Assert.Equal("hello Alice", text.Text);
        Assert.Equal("bob", text.Contact);

        await alice.SendTextAsync("bob", "hi Bob");
        var atBob = await bob.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("hi Bob", Assert.Single(atBob.OfType<TextReceived>()).Text);
        Assert.Contains(atBob.OfType<MessagesDelivered>(), d => d.MessageIds.Contains(sent));

        Assert.Equal(alice.SafetyCodeFor("bob"), bob.SafetyCodeFor("alice"));
    }

    [Fact]
    public async Task Contacts_whose_mailboxes_live_on_two_different_servers_talk()
    {
        await using var first = await RunningServer.StartAsync();
        await using var second = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(first, "Alice");
        var bob = profiles.Create(second, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        Assert.Equal(first.Address.ToString(), alice.Contact("bob").Inbox[0].Server);
        Assert.Equal(second.Address.ToString(), bob.Contact("alice").Inbox[0].Server);

        await bob.SendTextAsync("alice", "across servers");
        Assert.Equal("across servers", Assert.Single((await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);
        await alice.SendTextAsync("bob", "and back");
        Assert.Equal("and back", Assert.Single((await bob.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);
    }

    [Fact]
    public async Task A_card_works_once()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        var mallory = profiles.Create(server, "Mallory");
        var card = await alice.InviteAsync("bob", "Alice", TimeSpan.FromDays(1));
        await bob.AcceptAsync(card.Link, "alice", "Bob");
        var again = await Assert.ThrowsAsync<CardException>(() => bob.AcceptAsync(card.Link, "alice-again", "Bob"));
        Assert.Equal(CardProblem.AlreadyUsed, again.Problem);

        await alice.ReceiveAsync(TimeSpan.FromSeconds(10));
        // Once answered, the card's mailbox is locked to Bob's key: a second acceptor is refused by the server.
        // Mallory is told why in words, and nothing of the failed accept stays: no contact, the name free, the card retryable.
        var refused = await Assert.ThrowsAsync<CardException>(() => mallory.AcceptAsync(card.Link, "alice", "Mallory"));
        Assert.Equal(CardProblem.AlreadyUsed, refused.Problem);
        Assert.Contains("already used or cancelled", refused.Message, StringComparison.Ordinal);
        Assert.Empty(mallory.Contacts);
        Assert.Empty(mallory.Data.UsedCards);
        Assert.Single(alice.Contacts);
    }

    [Fact]
    public async Task Mailbox_move_switches_after_the_acknowledgement_and_loses_nothing()
    {
        await using var first = await RunningServer.StartAsync();
        await using var second = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(first, "Alice");
        var bob = profiles.Create(first, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        var oldInbox = alice.Contact("bob").Inbox[0];

        await alice.MoveMailboxAsync("bob", second.Address.ToString());
        await bob.SendTextAsync("alice", "sent before Bob knew");
        var atBob = await bob.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(atBob, e => e is ContactMovedMailbox);
        Assert.Equal(second.Address.ToString(), bob.Contact("alice").Outbox!.Server);
        await bob.SendTextAsync("alice", "sent after the move");

        var atAlice = await alice.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["sent after the move", "sent before Bob knew"], atAlice.OfType<TextReceived>().Select(t => t.Text).Order().ToArray());
        Assert.Contains(atAlice, e => e is MailboxMoveCompleted);
        var inbox = Assert.Single(alice.Contact("bob").Inbox);
        Assert.Equal(second.Address.ToString(), inbox.Server);

        // The old mailbox is gone from the first server.
        await using var probe = await first.ConnectAsync();
        using var oldKey = Ed25519KeyPair.FromSeed(oldInbox.RecipientKeySeed);
        await Assert.ThrowsAsync<Purr.Client.PurrProtocolException>(() => probe.FetchAsync(oldInbox.ReceiveId, oldKey));
    }

    [Fact]
    public async Task Display_name_updates_and_contact_removal_reach_the_other_side()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        await bob.UpdateDisplayNameAsync("Robert");
        Assert.Contains(await alice.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactRenamed { DisplayName: "Robert" });
        await bob.RemoveContactAsync("alice");
        Assert.Contains(await alice.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactRemovedUs);
        Assert.Empty(alice.Contacts);
        Assert.Empty(bob.Contacts);
    }

    [Fact]
    public async Task Server_store_holds_no_plaintext_and_no_identity_key()
    {
        using var data = new TemporaryDirectory();
        await using var profiles = new TestProfiles();
        Client.Messaging.Messenger alice;
        Client.Messaging.Messenger bob;
        const string secretText = "the-eagle-lands-at-midnight";
        await using (var server = await RunningServer.StartAsync("sqlite", data.Path))
        {
            alice = profiles.Create(server, "Alice-display-name");
            bob = profiles.Create(server, "Bob-display-name");
            await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
            // Leave messages stored: sent, not yet received.
            await bob.SendTextAsync("alice", secretText);
            await alice.SendTextAsync("bob", secretText + "-reply");
        }

        SqliteConnection.ClearAllPools();
        var database = File.ReadAllBytes(Path.Combine(data.Path, "purr.db"));
        var wal = Path.Combine(data.Path, "purr.db-wal");
        var everything = File.Exists(wal) ? [.. database, .. File.ReadAllBytes(wal)] : database;
        using var aliceIdentity = Ed25519KeyPair.FromSeed(alice.Contact("bob").MyIdentitySeed);
        using var bobIdentity = Ed25519KeyPair.FromSeed(bob.Contact("alice").MyIdentitySeed);
        Assert.Equal(-1, everything.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secretText)));
        Assert.Equal(-1, everything.AsSpan().IndexOf("display-name"u8));
        Assert.Equal(-1, everything.AsSpan().IndexOf(aliceIdentity.PublicKey));
        Assert.Equal(-1, everything.AsSpan().IndexOf(bobIdentity.PublicKey));

        // And the store really does hold the conversation's ciphertext.
        await using var reopened = await Storage.Sqlite.SqliteStore.OpenAsync(new Storage.Sqlite.SqliteStoreOptions { Path = Path.Combine(data.Path, "purr.db") });
        Assert.True(await reopened.CountMessagesAsync(Core.Ids.OpaqueId.FromBytes(alice.Contact("bob").Inbox[0].ReceiveId), DateTimeOffset.UtcNow) > 0);
    }
}
