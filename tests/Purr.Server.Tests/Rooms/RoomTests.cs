using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Rooms;
using Purr.TestKit;

namespace Purr.Server.Tests.Rooms;

public sealed class RoomTests
{
    [Theory]
    [InlineData(RoomKind.Transient)]
    [InlineData(RoomKind.Persistent)]
    public async Task Three_members_talk_and_learn_each_others_names(RoomKind kind)
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(kind, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, _) = await harness.JoinAsync(alice, "Carol");

        await alice.SendTextAsync("hello room");
        Assert.Equal("Alice", (await RoomHarness.TextAsync(bob, "hello room")).SenderName);
        await RoomHarness.TextAsync(carol, "hello room");
        await carol.SendTextAsync("hi from Carol");
        Assert.Equal("Carol", (await RoomHarness.TextAsync(alice, "hi from Carol")).SenderName);
        await RoomHarness.TextAsync(bob, "hi from Carol");

        var members = await alice.MembersAsync();
        Assert.Equal(3, members.Count);
        Assert.Contains(members, m => m.Name == "Bob" && m.Role == RoomRole.Member);
        Assert.Contains(members, m => m.IsMe && m.Role == RoomRole.Owner);
    }

    [Fact]
    public async Task Kicked_member_receives_nothing_more_and_cannot_read_what_follows()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (mallory, malloryConnection) = await harness.JoinAsync(alice, "Mallory");
        await alice.SendTextAsync("before the kick");
        await RoomHarness.TextAsync(mallory, "before the kick");
        var before = mallory.Export();

        await alice.KickAsync(mallory.MemberKey);
        await RoomHarness.NextAsync<RoomKicked>(mallory);
        var left = await RoomHarness.NextAsync<RoomMemberLeft>(bob);
        Assert.True(left.Kicked);

        await alice.SendTextAsync("after the kick");
        var seenByBob = await RoomHarness.TextAsync(bob, "after the kick");
        await bob.SendTextAsync("bob after the kick");
        await RoomHarness.TextAsync(alice, "bob after the kick");

        // At the connection: no frame of the room arrived after the kick notice.
        await malloryConnection.AssertQuietAsync(TimeSpan.FromMilliseconds(300));

        // Handed the ciphertext, Mallory's keys do not open it: the key rotated when she was kicked.
        var roomId = Convert.FromHexString(Convert.ToHexString(mallory.RoomId));
        Assert.Null(RoomCrypto.DecryptGroup(roomId, seenByBob.Ciphertext, id => before.Keys.GetValueOrDefault(Convert.ToHexStringLower(id))));
        var rejoin = await Assert.ThrowsAsync<PurrProtocolException>(() => mallory.SendTextAsync("still here?"));
        Assert.Equal(ErrorCode.Auth, rejoin.Code);
    }

    [Fact]
    public async Task Whisper_reaches_only_its_target()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, carolConnection) = await harness.JoinAsync(alice, "Carol");
        await RoomHarness.NextAsync<RoomMemberJoined>(bob);

        // Every frame that reaches Carol's connection goes to this listener once her session stops reading.
        using var everything = carolConnection.Listen(_ => true);
        await carol.DisposeAsync();
        await alice.WhisperAsync(bob.MemberKey, "psst, only for Bob");
        var whisper = await RoomHarness.TextAsync(bob, "psst, only for Bob");
        Assert.True(whisper.Whisper);
        using (var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await everything.Events.ReadAsync(quiet.Token));
        }

        await alice.SendTextAsync("for everyone");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var frame = (RoomEventReceived)await everything.Events.ReadAsync(timeout.Token);
        Assert.False(frame.Event.Message.Whisper);
    }

    [Fact]
    public async Task Stop_leaves_no_trace_and_later_joins_fail()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Persistent, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        await alice.SendTextAsync("soon gone");
        await RoomHarness.TextAsync(bob, "soon gone");
        var roomId = OpaqueId.FromBytes(alice.RoomId);
        var store = server.Services.GetRequiredService<IRoomStore>();
        Assert.NotNull(await store.FindRoomAsync(roomId));

        await alice.StopAsync();
        await RoomHarness.NextAsync<RoomEnded>(bob);
        Assert.Null(await store.FindRoomAsync(roomId));
        Assert.False(server.Services.GetRequiredService<RoomRegistry>().IsKnownLive(roomId));
        var mailboxes = server.Services.GetRequiredService<Core.Mailboxes.IMailboxStore>();
        Assert.Null(await mailboxes.FindByReceiveIdAsync(OpaqueId.FromBytes(bob.Mailbox!.ReceiveId)));
        Assert.Null(await mailboxes.FindByReceiveIdAsync(OpaqueId.FromBytes(alice.Mailbox!.ReceiveId)));

        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => harness.JoinAsync(alice, "Latecomer"));
        Assert.Equal(ErrorCode.Auth, error.Code);
    }

    [Fact]
    public async Task Transient_room_vanishes_after_the_grace_and_never_stores_anything()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync("sqlite", time: time);
        await using var harness = new RoomHarness(server);
        var (alice, aliceConnection) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, bobConnection) = await harness.JoinAsync(alice, "Bob");
        await alice.SendTextAsync("ephemeral");
        await RoomHarness.TextAsync(bob, "ephemeral");
        var roomId = OpaqueId.FromBytes(alice.RoomId);
        var store = server.Services.GetRequiredService<IRoomStore>();
        Assert.Null(await store.FindRoomAsync(roomId));

        await bob.LeaveAsync();
        await aliceConnection.DisposeAsync();
        var registry = server.Services.GetRequiredService<RoomRegistry>();
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(registry.IsKnownLive(roomId), "the room ended before its grace period");

        time.Advance(TimeSpan.FromSeconds(25));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (registry.IsKnownLive(roomId))
        {
            Assert.True(DateTime.UtcNow < deadline, "the empty transient room was not removed after the grace");
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.Null(await store.FindRoomAsync(roomId));
        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => harness.JoinAsync(alice, "Late"));
        Assert.Equal(ErrorCode.Auth, error.Code);
        _ = bobConnection;
    }

    [Theory]
    [InlineData(RoomKind.Transient)]
    [InlineData(RoomKind.Persistent)]
    public async Task A_member_who_joins_after_the_key_rotated_reads_what_follows(RoomKind kind)
    {
        // The link carries the room's first key; after a leave the key rotates, and a newcomer used to hold a key no one used.
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(kind, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, _) = await harness.JoinAsync(alice, "Carol");
        await alice.MembersAsync();
        await carol.LeaveAsync();
        await RoomHarness.NextAsync<RoomMemberLeft>(alice);
        await alice.SendTextAsync("after Carol left");
        await RoomHarness.TextAsync(bob, "after Carol left");

        var (dave, _) = await harness.JoinAsync(alice, "Dave");
        await RoomHarness.NextAsync<RoomMemberJoined>(alice);
        await alice.SendTextAsync("hello Dave");
        Assert.Equal("Alice", (await RoomHarness.TextAsync(dave, "hello Dave")).SenderName);

        // Bob, who did not see Alice's whisper, seals it to Dave too before he speaks; Dave reads him as well.
        await RoomHarness.TextAsync(bob, "hello Dave");
        await bob.SendTextAsync("hi from Bob");
        await RoomHarness.TextAsync(dave, "hi from Bob");
    }

    [Fact]
    public async Task A_newcomer_who_joins_between_a_leave_and_the_rotation_it_causes_reads_what_follows()
    {
        // The rotation's key update is a group message under the current key: a newcomer who lacks that key must get it
        // first, or the update (and everything after) is lost on them.
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, _) = await harness.JoinAsync(alice, "Carol");
        var (erin, _) = await harness.JoinAsync(alice, "Erin");
        await alice.MembersAsync();
        await carol.LeaveAsync();
        await RoomHarness.NextAsync<RoomMemberLeft>(alice);
        await alice.SendTextAsync("one");
        await RoomHarness.TextAsync(bob, "one");

        await erin.LeaveAsync();
        await RoomHarness.NextAsync<RoomMemberLeft>(alice, l => l.Name == "Erin");
        var (dave, _) = await harness.JoinAsync(alice, "Dave");
        await RoomHarness.NextAsync<RoomMemberJoined>(alice);
        await alice.SendTextAsync("two");
        await RoomHarness.TextAsync(bob, "two");
        Assert.Equal("Alice", (await RoomHarness.TextAsync(dave, "two")).SenderName);
    }

    [Fact]
    public async Task Members_show_who_is_connected_and_members_hear_when_someone_comes_or_goes()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Persistent, "Alice");
        var (bob, bobConnection) = await harness.JoinAsync(alice, "Bob");
        await RoomHarness.NextAsync<RoomMemberConnectionChanged>(alice, c => c.Connected && c.Member.AsSpan().SequenceEqual(bob.MemberKey));
        Assert.All(await alice.MembersAsync(), m => Assert.True(m.Connected));

        // Bob's connection goes: Alice hears it and the list says so; he comes back on a new one.
        var saved = bob.Export();
        await bob.DisposeAsync();
        await bobConnection.DisposeAsync();
        var gone = await RoomHarness.NextAsync<RoomMemberConnectionChanged>(alice, c => !c.Connected);
        Assert.Equal("Bob", gone.Name);
        Assert.False((await alice.MembersAsync()).Single(m => m.Name == "Bob").Connected);
        var back = await harness.ResumeAsync(saved, node: 0);
        await RoomHarness.NextAsync<RoomMemberConnectionChanged>(alice, c => c.Connected && c.Name == "Bob");
        Assert.True((await back.MembersAsync()).Single(m => m.Name == "Alice").Connected);
    }

    [Fact]
    public async Task Persistent_room_lets_an_offline_member_catch_up()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Persistent, "Alice");
        var (bob, bobConnection) = await harness.JoinAsync(alice, "Bob");
        await alice.SendTextAsync("while Bob is here");
        await RoomHarness.TextAsync(bob, "while Bob is here");
        var saved = bob.Export();
        await bob.DisposeAsync();
        await bobConnection.DisposeAsync();

        await alice.SendTextAsync("while Bob is away 1");
        await alice.SendTextAsync("while Bob is away 2");

        var again = await harness.Connect();
        await using var resumed = await RoomSession.ResumeAsync(again, saved);
        Assert.Equal("Alice", (await RoomHarness.TextAsync(resumed, "while Bob is away 1")).SenderName);
        await RoomHarness.TextAsync(resumed, "while Bob is away 2");
    }

    [Theory]
    [InlineData(RoomKind.Persistent)]
    [InlineData(RoomKind.Transient)]
    public async Task A_member_who_left_while_another_was_away_cannot_read_what_that_one_sends_on_return(RoomKind kind)
    {
        // `purr room send` resumes a saved membership and sends at once: it used to keep the old key.
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, aliceConnection) = await harness.CreateAsync(kind, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, _) = await harness.JoinAsync(alice, "Carol");
        await alice.MembersAsync();
        var aliceSaved = alice.Export();
        await alice.DisposeAsync();
        var carolKeys = carol.Export().Keys;
        await carol.LeaveAsync();

        var again = await harness.Connect();
        await using var resumed = await RoomSession.ResumeAsync(again, aliceSaved);
        await resumed.SendTextAsync("after Carol left");
        Assert.Equal("Alice", (await RoomHarness.TextAsync(bob, "after Carol left")).SenderName);
        var keyNow = Convert.ToHexStringLower(resumed.Export().CurrentKeyId);
        Assert.DoesNotContain(keyNow, carolKeys.Keys);
        _ = aliceConnection;
    }

    [Fact]
    public async Task A_leave_seen_by_receive_alone_still_rotates_the_key_at_the_next_send()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Persistent, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, _) = await harness.JoinAsync(alice, "Carol");
        var carolKeys = carol.Export().Keys;
        await carol.LeaveAsync();
        await RoomHarness.NextAsync<RoomMemberLeft>(alice);

        // Like `purr room receive`: the leave was seen, nothing was sent, the membership saved and closed.
        var saved = alice.Export();
        Assert.True(saved.MembersRemovedSinceKey);
        await alice.DisposeAsync();
        await using var resumed = await RoomSession.ResumeAsync(await harness.Connect(), saved);
        await resumed.SendTextAsync("next");
        await RoomHarness.TextAsync(bob, "next");
        Assert.DoesNotContain(Convert.ToHexStringLower(resumed.Export().CurrentKeyId), carolKeys.Keys);
    }

    [Fact]
    public async Task One_connection_carries_several_rooms_and_a_mailbox_without_mixing_their_events()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var aliceConnection = await server.ConnectAsync();
        await using var bobConnection = await server.ConnectAsync();
        await using var garden = await RoomSession.CreateAsync(aliceConnection, RoomKind.Transient, "Alice");
        await using var kitchen = await RoomSession.CreateAsync(aliceConnection, RoomKind.Persistent, "Alice");
        await using var bobGarden = await RoomSession.JoinAsync(bobConnection, garden.Link.ToString(), "Bob");
        await using var bobKitchen = await RoomSession.JoinAsync(bobConnection, kitchen.Link.ToString(), "Bob");
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await aliceConnection.CreateMailboxAsync(key);
        await aliceConnection.SubscribeAsync(mailbox.ReceiveId, key);

        for (var i = 0; i < 5; i++)
        {
            await bobGarden.SendTextAsync($"garden {i}");
            await bobKitchen.SendTextAsync($"kitchen {i}");
            await bobConnection.SendAsync(mailbox.SendId, System.Text.Encoding.UTF8.GetBytes($"mail {i}"));
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal($"garden {i}", (await RoomHarness.NextAsync<RoomText>(garden)).Text);
            Assert.Equal($"kitchen {i}", (await RoomHarness.NextAsync<RoomText>(kitchen)).Text);
            var mail = await aliceConnection.NextAsync<MessageReceived>();
            Assert.Equal($"mail {i}", System.Text.Encoding.UTF8.GetString(mail.Payload));
            await aliceConnection.AckAsync(mailbox.ReceiveId, mail.MessageId, key);
        }

        // And both directions on Bob's shared connection.
        await kitchen.SendTextAsync("from the kitchen");
        await garden.SendTextAsync("from the garden");
        Assert.Equal("from the kitchen", (await RoomHarness.NextAsync<RoomText>(bobKitchen, t => t.Text.StartsWith("from", StringComparison.Ordinal))).Text);
        Assert.Equal("from the garden", (await RoomHarness.NextAsync<RoomText>(bobGarden, t => t.Text.StartsWith("from", StringComparison.Ordinal))).Text);
    }

    [Fact]
    public async Task Rooms_ending_as_members_speak_leave_no_late_events_to_stall_a_shared_connection()
    {
        // Seen in the soak test: a room session closing while its ack was being sent cancelled that send, and a
        // cancelled WebSocket send aborts the whole socket, cutting every room and mailbox on the connection.
        // Late events for the closed session and late answers to its cancelled acks must not pile up either.
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rooms:CreationsPerMinutePerIp"] = "1000",
            ["Rooms:MaxRoomsCreatedPerConnection"] = "1000",
        });
        var small = new PurrConnectionOptions { EventQueueCapacity = 4 };
        await using var owner = await server.ConnectAsync(small);
        await using var guest = await server.ConnectAsync(small);
        for (var i = 0; i < 24; i++)
        {
            await using var room = await RoomSession.CreateAsync(owner, RoomKind.Persistent, "Owner");
            await using var joined = await RoomSession.JoinAsync(guest, room.Link.ToString(), "Guest");
            await joined.SendTextAsync("hello");
            await room.StopAsync();
        }

        await owner.PingAsync();
        await guest.PingAsync();
        Assert.Equal(0, owner.Events.Count);
        Assert.Equal(0, guest.Events.Count);
    }

    [Fact]
    public async Task Forged_sender_signatures_are_rejected()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var mallory = await harness.Connect();
        using var malloryKey = Ed25519KeyPair.Generate();

        // Mallory claims Alice's member key but can only sign with her own.
        var send = new RoomSend
        {
            RoomId = ByteString.CopyFrom(alice.RoomId),
            MemberKey = ByteString.CopyFrom(alice.MemberKey),
            Ciphertext = ByteString.CopyFrom(new byte[64]),
            Signature = ByteString.CopyFrom(malloryKey.Sign(SignedBytes.RoomMessage(alice.RoomId, [], new byte[64]))),
        };
        var forged = await Assert.ThrowsAsync<PurrProtocolException>(() => mallory.RequestAsync(
            new Request { RoomSend = send }, bytes => malloryKey.Sign(SignedBytes.MemberRequest(mallory.SessionNonce.Span, bytes))));
        Assert.Equal(ErrorCode.Auth, forged.Code);

        // A member's request signed correctly but carrying a message signature that is not the member's.
        var bobConnection = await harness.Connect();
        await using var bobRaw = await RoomSession.JoinAsync(bobConnection, alice.Link.ToString(), "Bob2");
        var state = bobRaw.Export();
        using var bobKey = Ed25519KeyPair.FromSeed(state.MemberKeySeed);
        send.MemberKey = ByteString.CopyFrom(bobKey.PublicKey);
        var badMessage = await Assert.ThrowsAsync<PurrProtocolException>(() => bobConnection.RequestAsync(
            new Request { RoomSend = send }, bytes => bobKey.Sign(SignedBytes.MemberRequest(bobConnection.SessionNonce.Span, bytes))));
        Assert.Equal(ErrorCode.Auth, badMessage.Code);
        _ = bob;
    }

    [Fact]
    public async Task Members_cannot_kick_or_stop_unless_the_room_is_flat()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, _) = await harness.JoinAsync(alice, "Carol");

        Assert.Equal(ErrorCode.Forbidden, (await Assert.ThrowsAsync<PurrProtocolException>(() => bob.KickAsync(carol.MemberKey))).Code);
        Assert.Equal(ErrorCode.Forbidden, (await Assert.ThrowsAsync<PurrProtocolException>(() => bob.KickAsync(alice.MemberKey))).Code);
        Assert.Equal(ErrorCode.Forbidden, (await Assert.ThrowsAsync<PurrProtocolException>(() => bob.StopAsync())).Code);

        await alice.SetRoleAsync(bob.MemberKey, RoomRole.Moderator, voice: true);
        await bob.KickAsync(carol.MemberKey);
        await RoomHarness.NextAsync<RoomKicked>(carol);

        var (flatOwner, _) = await harness.CreateAsync(RoomKind.Transient, "Owner", new RoomSettings { Flat = true });
        var (dave, _) = await harness.JoinAsync(flatOwner, "Dave");
        var (erin, _) = await harness.JoinAsync(flatOwner, "Erin");
        await dave.KickAsync(erin.MemberKey);
        await RoomHarness.NextAsync<RoomKicked>(erin);
        await dave.StopAsync();
        await RoomHarness.NextAsync<RoomEnded>(flatOwner);
    }

    [Fact]
    public async Task Lock_password_limit_and_moderation_are_enforced_by_the_server()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice", new RoomSettings { MemberLimit = 3, Moderated = true }, password: "open sesame");
        Assert.True(alice.Link.Invite.PasswordRequired);
        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(() => harness.JoinAsync(alice, "NoPassword"))).Code);
        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(() => harness.JoinAsync(alice, "Wrong", "guess"))).Code);
        var (bob, _) = await harness.JoinAsync(alice, "Bob", "open sesame");
        Assert.Equal(ErrorCode.Forbidden, (await Assert.ThrowsAsync<PurrProtocolException>(() => bob.SendTextAsync("may I?"))).Code);
        await alice.SetRoleAsync(bob.MemberKey, RoomRole.Member, voice: true);
        await bob.SendTextAsync("thanks for the voice");
        await RoomHarness.TextAsync(alice, "thanks for the voice");

        await harness.JoinAsync(alice, "Carol", "open sesame");
        Assert.Equal(ErrorCode.RoomFull, (await Assert.ThrowsAsync<PurrProtocolException>(() => harness.JoinAsync(alice, "Dave", "open sesame"))).Code);

        await alice.Configure(new RoomSettings { Locked = true, MemberLimit = 10 });
        Assert.Equal(ErrorCode.RoomLocked, (await Assert.ThrowsAsync<PurrProtocolException>(() => harness.JoinAsync(alice, "Erin", "open sesame"))).Code);

        await alice.SetTopicAsync("gardening on Sundays");
        Assert.Equal("gardening on Sundays", (await RoomHarness.NextAsync<RoomTopicChanged>(bob)).Topic);
    }

    [Fact]
    public async Task Exit_says_farewell_then_leaves()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        await bob.ExitAsync("bye all");
        Assert.Equal("bye all", (await RoomHarness.NextAsync<RoomFarewell>(alice)).Text);
        var left = await RoomHarness.NextAsync<RoomMemberLeft>(alice);
        Assert.False(left.Kicked);
        Assert.Single(await alice.MembersAsync());
    }
}
