using Google.Protobuf;
using Purr.Client;
using Purr.Client.EndToEnd;
using Purr.Client.Messaging;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>
/// Contact addresses (PROTOCOL.md 10.8): one reusable link, many requests, each accepted or rejected by the owner,
/// each contact with its own fresh identity on both sides; revoked addresses refused by the server.
/// </summary>
public sealed class ContactAddressTests
{
    [Fact]
    public async Task Many_requests_through_one_address_are_accepted_or_rejected_and_each_contact_has_its_own_identity()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var shop = profiles.Create(server, "Corner Shop");
        var bob = profiles.Create(server, "Bob");
        var carol = profiles.Create(server, "Carol");
        var mallory = profiles.Create(server, "Mallory");
        var address = await shop.CreateAddressAsync("Corner Shop");

        await bob.RequestContactAsync(address.Link, "shop", "Bob", "do you deliver on Sundays?");
        await carol.RequestContactAsync(address.Link, "shop", "Carol");
        await mallory.RequestContactAsync(address.Link, "shop", "Mallory", "buy my stuff");
        Assert.Equal("requested", bob.Data.Invites.Single().Requested ? "requested" : "invited");

        var received = (await shop.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().ToList();
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal("", r.Contact));
        Assert.Equal("do you deliver on Sundays?", received.Single(r => r.DisplayName == "Bob").Message);
        Assert.Equal(3, shop.Data.Requests.Count);

        await shop.AcceptRequestAsync(received.Single(r => r.DisplayName == "Bob").RequestId, "bob");
        await shop.AcceptRequestAsync(received.Single(r => r.DisplayName == "Carol").RequestId, "carol");
        await shop.RejectRequestAsync(received.Single(r => r.DisplayName == "Mallory").RequestId);
        Assert.Empty(shop.Data.Requests);

        // The requesters learn of the acceptance like any card's answer, and then both directions work.
        Assert.Contains((await bob.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactEstablished>(), e => e.Contact == "shop" && e.DisplayName == "Corner Shop");
        Assert.Contains((await carol.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactEstablished>(), e => e.Contact == "shop");
        await bob.SendTextAsync("shop", "two loaves please");
        Assert.Contains((await shop.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>(), t => t.Contact == "bob" && t.Text == "two loaves please");
        await shop.SendTextAsync("carol", "your order is ready");
        Assert.Contains((await carol.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>(), t => t.Text == "your order is ready");

        // Per-contact identities: the shop shows Bob and Carol different keys, neither of them the address's.
        var addressKey = address.Body.AddressKey.ToByteArray();
        Assert.NotEqual(bob.Contact("shop").TheirIdentityKey, carol.Contact("shop").TheirIdentityKey);
        Assert.NotEqual(addressKey, bob.Contact("shop").TheirIdentityKey);
        Assert.Equal(shop.SafetyCodeFor("bob"), bob.SafetyCodeFor("shop"));

        // Mallory was not told; her request just waits on her side, and nothing from the shop arrives.
        Assert.Empty((await mallory.ReceiveAsync(TimeSpan.FromMilliseconds(500))).OfType<ContactEstablished>());
        Assert.True(mallory.Data.Invites.Single().Requested);
    }

    [Fact]
    public async Task Auto_accept_connects_at_once_and_a_revoked_address_is_refused_by_the_server()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var desk = profiles.Create(server, "Help Desk");
        var bob = profiles.Create(server, "Bob");
        var carol = profiles.Create(server, "Carol");
        var address = await desk.CreateAddressAsync("Help Desk", autoAccept: true);

        await bob.RequestContactAsync(address.Link, "desk", "Bob", "my printer is on fire");
        var atDesk = (await desk.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().Single();
        Assert.Equal("bob", atDesk.Contact);
        Assert.Equal("my printer is on fire", atDesk.Message);
        Assert.Empty(desk.Data.Requests);
        Assert.Contains((await bob.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactEstablished>(), e => e.Contact == "desk");
        await desk.SendTextAsync("bob", "have you tried turning it off?");
        Assert.Contains((await bob.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>(), t => t.Text == "have you tried turning it off?");

        // Replacing revokes: the old link is refused by the server (nothing saved on the requester's side), the new one works.
        var replacement = await desk.CreateAddressAsync("Help Desk", autoAccept: true, replace: true);
        var refused = await Assert.ThrowsAsync<MessengerException>(() => carol.RequestContactAsync(address.Link, "desk", "Carol"));
        Assert.Contains("revoked", refused.Message, StringComparison.Ordinal);
        Assert.Empty(carol.Data.Invites);
        await carol.RequestContactAsync(replacement.Link, "desk", "Carol");
        Assert.Contains((await desk.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>(), r => r.Contact == "carol");

        await desk.RevokeAddressAsync();
        Assert.Null(desk.Data.Address);
        await Assert.ThrowsAsync<MessengerException>(() => carol.RequestContactAsync(replacement.Link, "desk2", "Carol"));
    }

    [Fact]
    public async Task A_cancelled_card_or_request_can_no_longer_be_accepted_and_leaves_nothing_on_either_side()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var shop = profiles.Create(server, "Corner Shop");
        var bob = profiles.Create(server, "Bob");
        var address = await shop.CreateAddressAsync("Corner Shop");

        // Bob asks, then thinks better of it; the shop's accept finds nobody there and drops the request with a word.
        await bob.RequestContactAsync(address.Link, "shop", "Bob");
        var request = (await shop.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().Single();
        Assert.True((await bob.CancelInviteAsync("shop")).Requested);
        Assert.Empty(bob.Data.Invites);
        var refused = await Assert.ThrowsAsync<MessengerException>(() => shop.AcceptRequestAsync(request.RequestId, "bob"));
        Assert.Contains("Bob cancelled this request", refused.Message, StringComparison.Ordinal);
        Assert.Empty(shop.Data.Requests);
        Assert.Empty(shop.Data.Contacts);
        Assert.Empty(shop.Data.UsedCards);
        Assert.Contains("no waiting request", (await Assert.ThrowsAsync<MessengerException>(() => shop.AcceptRequestAsync(request.RequestId, "bob"))).Message, StringComparison.Ordinal);

        // The same for a card handed out by hand: once cancelled, accepting it saves nothing on the acceptor's side.
        var card = await shop.InviteAsync("walk-in", "Corner Shop", TimeSpan.FromHours(1));
        await shop.CancelInviteAsync("walk-in");
        Assert.Empty(shop.Data.Invites);
        Assert.Equal(CardProblem.AlreadyUsed, (await Assert.ThrowsAsync<CardException>(() => bob.AcceptAsync(card.Link, "shop", "Bob"))).Problem);
        Assert.Empty(bob.Data.Contacts);

        // Nothing waits under a name that was never a card, nor under a contact's: that one is removed, not cancelled.
        Assert.Contains("no card or request", (await Assert.ThrowsAsync<MessengerException>(() => shop.CancelInviteAsync("nobody"))).Message, StringComparison.Ordinal);
        await bob.RequestContactAsync(address.Link, "shop", "Bob");
        await shop.AcceptRequestAsync((await shop.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().Single().RequestId, "bob");
        Assert.Contains("remove", (await Assert.ThrowsAsync<MessengerException>(() => shop.CancelInviteAsync("bob"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_addresses_and_tampered_requests_change_nothing()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        var address = await alice.CreateAddressAsync("Alice");

        // A changed character breaks the signature; a card is not an address; a note too long is refused before anything is made.
        var tampered = address.Link[..^3] + (address.Link[^3] == 'A' ? 'B' : 'A') + address.Link[^2..];
        Assert.ThrowsAny<CardException>(() => ContactAddress.Parse(tampered));
        var card = await bob.InviteAsync("someone", "Bob", TimeSpan.FromHours(1));
        Assert.Equal(CardProblem.Malformed, Assert.Throws<CardException>(() => ContactAddress.Parse(card.Link)).Problem);
        Assert.Contains("contact address", Assert.Throws<CardException>(() => Card.Parse(address.Link, DateTimeOffset.UtcNow)).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MessengerException>(() => bob.RequestContactAsync(address.Link, "alice", "Bob", new string('x', AddressRequests.MaxMessageLength + 1)));
        Assert.Single(bob.Data.Invites);
        await Assert.ThrowsAsync<MessengerException>(() => alice.RequestContactAsync(address.Link, "me", "Alice"));

        // Garbage sent straight to the address's mailbox is dropped without a trace; a real request after it still arrives.
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(address.Body.Mailbox.SendId.ToByteArray(), new MailboxPayload
        {
            AddressRequest = new AddressRequest { EphemeralKey = ByteString.CopyFrom(new byte[32]), Sealed = ByteString.CopyFrom(new byte[80]) },
        }.ToByteArray());
        await connection.SendAsync(address.Body.Mailbox.SendId.ToByteArray(), "not even protobuf"u8.ToArray());
        await bob.RequestContactAsync(address.Link, "alice", "Bob");
        var received = (await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().ToList();
        Assert.Equal("Bob", Assert.Single(received).DisplayName);
        Assert.Single(alice.Data.Requests);
    }

    [Fact]
    public async Task A_blocked_requester_is_dropped_by_the_server_which_keeps_no_identity_of_it()
    {
        using var data = new TemporaryDirectory();
        await using var server = await RunningServer.StartAsync("sqlite", data.Path, settings: new Dictionary<string, string> { ["Sqlite:ErasureInterval"] = "00:00:00.200" });
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var mallory = profiles.Create(server, "Mallory");
        var carol = profiles.Create(server, "Carol");
        var address = await alice.CreateAddressAsync("Alice");

        await mallory.RequestContactAsync(address.Link, "alice", "Mallory", "hi again");
        var first = (await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().Single();
        await alice.RejectRequestAsync(first.RequestId, block: true);
        var malloryTag = AddressRequests.BlockTag(mallory.Data.RoomTagSecret, address.Body.AddressKey.Span);

        // Mallory's next request looks sent to her, and never arrives; Carol's does.
        await mallory.RequestContactAsync(address.Link, "alice2", "Mallory", "please?");
        await carol.RequestContactAsync(address.Link, "alice", "Carol");
        var next = (await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().ToList();
        Assert.Equal("Carol", Assert.Single(next).DisplayName);
        Assert.Empty((await alice.ReceiveAsync(TimeSpan.FromMilliseconds(300))).OfType<ContactRequestReceived>());

        // The server's files hold only a keyed hash: not the tag Mallory sent, not her card's keys, not her words.
        var malloryCard = Card.Parse(mallory.Data.Invites.First().CardLink, DateTimeOffset.UtcNow);
        foreach (var secret in new[] { malloryTag, malloryCard.Body.IdentityKey.ToByteArray(), "please?"u8.ToArray() })
        {
            await ErasureTests.WaitUntilGoneAsync(data.Path, secret);
        }

        // A send without a tag to an address that blocks is refused with a reason; emptying the list lets Mallory back.
        await using var raw = await server.ConnectAsync();
        var tagless = await Assert.ThrowsAsync<PurrProtocolException>(() => raw.SendAsync(address.Body.Mailbox.SendId.ToByteArray(), "x"u8.ToArray()));
        Assert.Equal(ErrorCode.InvalidArgument, tagless.Code);
        await alice.UnblockAllAsync();
        await mallory.RequestContactAsync(address.Link, "alice3", "Mallory", "sorry");
        Assert.Equal("sorry", (await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().Single().Message);
    }
}
