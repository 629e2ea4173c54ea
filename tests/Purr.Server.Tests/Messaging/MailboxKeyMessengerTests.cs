using Purr.Client;
using Purr.Client.Messaging;
using Purr.Crypto;

namespace Purr.Server.Tests.Messaging;

/// <summary>
/// The CLI's Messenger with mailbox keys (PROTOCOL.md 4): each mailbox's key fetched once and kept in the profile, and its
/// requests proven with it, so reconnections cost the server no signature verification per mailbox.
/// </summary>
public sealed class MailboxKeyMessengerTests
{
    [Fact]
    public async Task A_profile_fetches_each_mailboxs_key_once_keeps_it_and_proves_the_mailbox_with_it()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        await bob.SendTextAsync("alice", "one");
        Assert.Equal("one", Assert.Single((await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);

        var inbox = alice.Contact("bob").Inbox[0];
        Assert.Equal(32, inbox.MailboxKey?.Length);
        await using (var direct = await server.ConnectAsync())
        {
            using var recipientKey = Ed25519KeyPair.FromSeed(inbox.RecipientKeySeed);
            Assert.Equal((await direct.GetMailboxKeyAsync(inbox.ReceiveId, recipientKey)).Key, inbox.MailboxKey);
        }

        // Kept in the profile file; and from then on it, not the recipient key, proves the mailbox: with the key's seed
        // spoiled, the profile still fetches and acknowledges its messages.
        await using var reopened = profiles.Reopen(alice);
        var kept = reopened.Contact("bob").Inbox[0];
        Assert.Equal(inbox.MailboxKey, kept.MailboxKey);
        kept.RecipientKeySeed = SecureRandom.Bytes(32);
        await bob.SendTextAsync("alice", "two");
        Assert.Equal("two", Assert.Single((await reopened.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);
        Assert.Empty((await reopened.ReceiveAsync(TimeSpan.FromSeconds(1))).OfType<TextReceived>());
    }

    [Fact]
    public async Task A_key_the_server_refuses_falls_back_to_the_signature_is_dropped_and_fetched_again()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        // A stale or damaged key (a profile restored from elsewhere, a bug): the server answers AUTH to its MAC.
        var stale = SecureRandom.Bytes(32);
        alice.Contact("bob").Inbox[0].MailboxKey = stale;

        await bob.SendTextAsync("alice", "still here");
        Assert.Equal("still here", Assert.Single((await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);
        // Dropped at the first refusal (each would count towards the server's failed-authentication limit), and the right
        // one fetched again when the mailbox is next read.
        Assert.NotEqual(stale, alice.Contact("bob").Inbox[0].MailboxKey);
        Assert.Empty((await alice.ReceiveAsync(TimeSpan.FromSeconds(1))).OfType<TextReceived>());
        var inbox = alice.Contact("bob").Inbox[0];
        await using var direct = await server.ConnectAsync();
        using var recipientKey = Ed25519KeyPair.FromSeed(inbox.RecipientKeySeed);
        Assert.Equal((await direct.GetMailboxKeyAsync(inbox.ReceiveId, recipientKey)).Key, inbox.MailboxKey);
    }
}
