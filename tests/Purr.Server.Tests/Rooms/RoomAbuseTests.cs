using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Rooms;

/// <summary>
/// What outside probing found rooms let anyone do: fill someone else's mailbox, spend the server's CPU on
/// Argon2id, and fill its memory with transient rooms. Each is now refused, and each refusal is tested.
/// </summary>
public sealed class RoomAbuseTests
{
    [Fact]
    public async Task A_persistent_room_takes_only_a_mailbox_its_key_signed_for_and_unknown_and_foreign_ids_get_one_answer()
    {
        await using var server = await RunningServer.StartAsync();
        await using var victim = await server.ConnectAsync();
        await using var mallory = await server.ConnectAsync();
        using var victimKey = Ed25519KeyPair.Generate();
        var victims = await victim.CreateMailboxAsync(victimKey);
        using var member = Ed25519KeyPair.Generate();
        using var malloryMailboxKey = Ed25519KeyPair.Generate();

        CreateRoom Request(byte[] mailbox) => new()
        {
            Kind = RoomKind.Persistent,
            MemberKey = ByteString.CopyFrom(member.PublicKey),
            MemberDhKey = ByteString.CopyFrom(X25519KeyPair.Generate().PublicKey),
            JoinSecret = ByteString.CopyFrom(SecureRandom.Bytes(32)),
            MailboxReceiveId = ByteString.CopyFrom(mailbox),
        };
        Func<byte[], byte[]> memberSigner = bytes => member.Sign(SignedBytes.MemberRequest(mallory.SessionNonce.Span, bytes));

        async Task<ErrorCode> Refusal(byte[] mailbox, Func<byte[], byte[]>? mailboxSigner) =>
            (await Assert.ThrowsAsync<PurrProtocolException>(() =>
                mallory.RequestAsync(new Request { CreateRoom = Request(mailbox) }, memberSigner, mailboxSigner))).Code;

        // Someone else's mailbox, with no proof or with a proof by the wrong key; and an id that does not exist.
        Assert.Equal(ErrorCode.Auth, await Refusal(victims.ReceiveId, null));
        Assert.Equal(ErrorCode.Auth, await Refusal(victims.ReceiveId, mallory.RecipientSigner(malloryMailboxKey)));
        Assert.Equal(ErrorCode.Auth, await Refusal(SecureRandom.Bytes(16), mallory.RecipientSigner(malloryMailboxKey)));
        var store = server.Services.GetRequiredService<Core.Mailboxes.IMailboxStore>();
        Assert.Equal(0, await store.CountMessagesAsync(Core.Ids.OpaqueId.FromBytes(victims.ReceiveId), DateTimeOffset.UtcNow));

        // Mallory's own mailbox, proven: accepted.
        var own = await mallory.CreateMailboxAsync(malloryMailboxKey);
        var created = await mallory.RequestAsync(new Request { CreateRoom = Request(own.ReceiveId) }, memberSigner, mallory.RecipientSigner(malloryMailboxKey));
        Assert.Equal(ServerFrame.BodyOneofCase.RoomCreated, created.BodyCase);
    }

    [Fact]
    public async Task Transient_rooms_are_capped_per_connection_and_per_address_and_a_place_returns_when_a_room_ends()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rooms:MaxRoomsCreatedPerConnection"] = "3",
            ["Rooms:MaxTransientRoomsPerIp"] = "4",
        });
        await using var first = await server.ConnectAsync();
        var rooms = new List<RoomSession>();
        for (var i = 0; i < 3; i++)
        {
            rooms.Add(await RoomSession.CreateAsync(first, RoomKind.Transient, "A"));
        }

        var perConnection = await Assert.ThrowsAsync<PurrProtocolException>(() => RoomSession.CreateAsync(first, RoomKind.Transient, "A"));
        Assert.Equal(ErrorCode.RateLimited, perConnection.Code);

        await using var second = await server.ConnectAsync();
        rooms.Add(await RoomSession.CreateAsync(second, RoomKind.Transient, "A"));
        var perAddress = await Assert.ThrowsAsync<PurrProtocolException>(() => RoomSession.CreateAsync(second, RoomKind.Transient, "A"));
        Assert.Equal(ErrorCode.RateLimited, perAddress.Code);

        await rooms[0].StopAsync();
        rooms.Add(await RoomSession.CreateAsync(second, RoomKind.Transient, "A"));
        foreach (var room in rooms)
        {
            await room.DisposeAsync();
        }
    }

    [Fact]
    public async Task Room_creations_per_address_per_minute_are_budgeted()
    {
        var time = new TestKit.ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time, settings: new Dictionary<string, string>
        {
            ["Rooms:CreationsPerMinutePerIp"] = "2",
        });
        await using var connection = await server.ConnectAsync();
        await using var a = await RoomSession.CreateAsync(connection, RoomKind.Transient, "A");
        await using var b = await RoomSession.CreateAsync(connection, RoomKind.Persistent, "A");
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => RoomSession.CreateAsync(connection, RoomKind.Persistent, "A"));
        Assert.Equal(ErrorCode.RateLimited, refused.Code);
        time.Advance(TimeSpan.FromMinutes(1));
        await using var c = await RoomSession.CreateAsync(connection, RoomKind.Persistent, "A");
    }

    [Fact]
    public async Task Topics_listing_names_and_passwords_beyond_their_limits_are_refused_on_create_and_configure()
    {
        await using var server = await RunningServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var bigTopic = new RoomSettings { Topic = ByteString.CopyFrom(new byte[1025]) };
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.CreateAsync(connection, RoomKind.Transient, "A", bigTopic))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.CreateAsync(connection, RoomKind.Persistent, "A", new RoomSettings { Listed = true, ListingName = new string('n', 65) }))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.CreateAsync(connection, RoomKind.Transient, "A", password: new string('p', 257)))).Code);

        await using var room = await RoomSession.CreateAsync(connection, RoomKind.Transient, "A", new RoomSettings { Topic = ByteString.CopyFrom(new byte[1024]) });
        var configure = new RoomConfigure { RoomId = ByteString.CopyFrom(room.RoomId), MemberKey = ByteString.CopyFrom(room.MemberKey), Settings = bigTopic };
        var export = room.Export();
        using var memberKey = Ed25519KeyPair.FromSeed(export.MemberKeySeed);
        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RequestAsync(
            new Request { RoomConfigure = configure }, bytes => memberKey.Sign(SignedBytes.MemberRequest(connection.SessionNonce.Span, bytes))));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public async Task A_wrong_join_secret_costs_no_password_hash_and_password_hashes_are_budgeted_per_address()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rooms:PasswordHashesPerMinutePerIp"] = "3",
        });
        await using var owner = await server.ConnectAsync();
        await using var room = await RoomSession.CreateAsync(owner, RoomKind.Transient, "Owner", password: "correct horse"); // hash 1
        var link = RoomLink.Parse(room.Link.ToString());

        // Twenty guesses without the join secret: refused before any Argon2id, so the budget is untouched.
        var wrongSecret = new RoomInvite(link.Invite) { JoinSecret = ByteString.CopyFrom(SecureRandom.Bytes(32)) };
        for (var i = 0; i < 20; i++)
        {
            await using var guesser = await server.ConnectAsync();
            var error = await Assert.ThrowsAsync<PurrProtocolException>(() =>
                RoomSession.JoinAsync(guesser, new RoomLink(wrongSecret, link.RoomKey).ToString(), "G", "guess"));
            Assert.Equal(ErrorCode.Auth, error.Code);
        }

        // With the secret: a wrong password (hash 2), the right one (hash 3), then the budget is spent.
        await using var joiner = await server.ConnectAsync();
        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.JoinAsync(joiner, room.Link.ToString(), "B", "wrong"))).Code);
        await using var bob = await RoomSession.JoinAsync(joiner, room.Link.ToString(), "B", "correct horse");
        await using var another = await server.ConnectAsync();
        Assert.Equal(ErrorCode.RateLimited, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.JoinAsync(another, room.Link.ToString(), "C", "correct horse"))).Code);
    }

    [Fact]
    public async Task Password_hashes_beyond_the_pool_and_its_line_are_refused_at_once_and_a_bystander_is_served()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rooms:PasswordHashConcurrency"] = "1",
            ["Rooms:PasswordHashQueue"] = "1",
            ["Rooms:PasswordHashesPerMinutePerIp"] = "1000",
            ["Rooms:CreationsPerMinutePerIp"] = "1000",
        });
        var connections = new List<PurrConnection>();
        for (var i = 0; i < 24; i++)
        {
            connections.Add(await server.ConnectAsync());
        }

        await using var bystander = await server.ConnectAsync();
        // 24 creations released together, each on its own thread; on a loaded machine (CI runs test classes side by
        // side) one round's requests can still arrive so spread out that each hash ends before the next comes, so a few
        // rounds are allowed before the pool must have refused one.
        var outcomes = new List<ErrorCode>();
        for (var round = 0; round < 5 && !outcomes.Contains(ErrorCode.RateLimited); round++)
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = connections.Select(c => Task.Run(async () =>
            {
                await go.Task;
                try
                {
                    await using var room = await RoomSession.CreateAsync(c, RoomKind.Transient, "A", password: "pw");
                    return ErrorCode.Unspecified;
                }
                catch (PurrProtocolException e)
                {
                    return e.Code;
                }
            })).ToList();
            go.SetResult();
            await bystander.PingAsync();
            outcomes.AddRange(await Task.WhenAll(attempts));
        }

        Assert.Contains(ErrorCode.Unspecified, outcomes);
        Assert.Contains(ErrorCode.RateLimited, outcomes);
        Assert.All(outcomes, o => Assert.True(o is ErrorCode.Unspecified or ErrorCode.RateLimited, o.ToString()));
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }
}
