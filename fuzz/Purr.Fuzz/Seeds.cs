using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Client.Rooms;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Fuzz;

/// <summary>
/// The seed corpus (fuzz/corpus/TARGET/*), made by the real code so afl-fuzz starts from valid inputs:
/// `purr-fuzz seeds fuzz/corpus` rewrites it. Every file is also replayed by the test suite.
/// </summary>
internal static class Seeds
{
    public static void Write(string root)
    {
        var random = new TestKit.SeededRandomSource([42]);
        using var serverKey = Crypto.Ed25519KeyPair.FromSeed(Draw(random, 32));
        var address = new PurrAddress(serverKey.PublicKey, "127.0.0.1", 7878);

        Save(root, "address", "ipv4", Encoding.UTF8.GetBytes(address.ToString()));
        Save(root, "address", "ipv6", Encoding.UTF8.GetBytes(new PurrAddress(serverKey.PublicKey, "::1", 443).ToString()));

        using var secrets = CardSecrets.Generate(random);
        var card = Card.Create(
            secrets, new MailboxAddress { Server = address.ToString(), SendId = ByteString.CopyFrom(Draw(random, 16)) }, "Alice", DateTimeOffset.UnixEpoch.AddYears(60));
        Save(root, "card", "card", Encoding.UTF8.GetBytes(card.Link));

        var invite = new RoomInvite
        {
            Server = address.ToString(),
            RoomId = ByteString.CopyFrom(Draw(random, 16)),
            JoinSecret = ByteString.CopyFrom(Draw(random, 32)),
            Kind = RoomKind.Persistent,
        };
        Save(root, "room-link", "room", Encoding.UTF8.GetBytes(new RoomLink(invite, Draw(random, 32)).ToString()));

        Save(root, "profile", "empty", JsonSerializer.SerializeToUtf8Bytes(new ProfileData()));
        Save(root, "ratchet", "first-message", RatchetTarget.SeedMessage());
        Save(root, "onion", "route", [1, .. Encoding.UTF8.GetBytes(address.ToString()), 0, .. "the exit's request"u8]);
        Save(root, "onion", "packet", OnionTarget.SeedPacket());

        var head = Encoding.ASCII.GetBytes(
            "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:7878\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:7878\r\n\r\n");
        var ping = Frame(7, new Request { Ping = new Ping() });
        Save(root, "websocket", "upgrade-and-frames",
        [
            .. head,
            .. WebSocketTarget.ClientFrame(0x2, ping, fin: true),
            .. WebSocketTarget.ClientFrame(0x2, ping[..3], fin: false),
            .. WebSocketTarget.ClientFrame(0x9, "ping"u8.ToArray(), fin: true),
            .. WebSocketTarget.ClientFrame(0x0, ping[3..], fin: true),
            .. WebSocketTarget.ClientFrame(0x8, [0x03, 0xE8], fin: true),
        ]);
        Save(root, "websocket", "frames-only", [.. WebSocketTarget.ClientFrame(0x2, new byte[300], fin: true), .. WebSocketTarget.ClientFrame(0x1, "text"u8.ToArray(), fin: true)]);

        Save(root, "server", "mailbox-requests", ServerSessionTarget.Encode(
        [
            Frame(2, new Request { CreateMailbox = new CreateMailbox { RecipientKey = ByteString.CopyFrom(serverKey.PublicKey), LifetimeSeconds = 60 } }),
            Frame(3, new Request { SendMessage = new SendMessage { SendId = ByteString.CopyFrom(Draw(random, 16)), Payload = ByteString.CopyFromUtf8("hi") } }),
            Frame(4, new Request { Subscribe = new Subscribe { ReceiveId = ByteString.CopyFrom(Draw(random, 16)) } }),
            Frame(5, new Request { Fetch = new Fetch { ReceiveId = ByteString.CopyFrom(Draw(random, 16)) } }),
            Frame(6, new Request { Ack = new Ack { ReceiveId = ByteString.CopyFrom(Draw(random, 16)), MessageId = ByteString.CopyFrom(Draw(random, 16)) } }),
            Frame(7, new Request { Ping = new Ping() }),
        ]));
        Save(root, "server", "room-requests", ServerSessionTarget.Encode(
        [
            Frame(2, new Request
            {
                CreateRoom = new CreateRoom
                {
                    Kind = RoomKind.Transient,
                    MemberKey = ByteString.CopyFrom(serverKey.PublicKey),
                    MemberDhKey = ByteString.CopyFrom(Draw(random, 32)),
                    JoinSecret = ByteString.CopyFrom(Draw(random, 32)),
                    Settings = new RoomSettings { Topic = ByteString.CopyFrom(Draw(random, 40)) },
                },
            }),
            Frame(3, new Request { JoinRoom = new JoinRoom { RoomId = invite.RoomId, JoinSecret = invite.JoinSecret, MemberKey = ByteString.CopyFrom(serverKey.PublicKey) } }),
            Frame(4, new Request { ListRooms = new ListRooms() }),
        ]));
    }

    private static byte[] Frame(ulong id, Request request)
    {
        request.Id = id;
        return new ClientFrame { Request = request.ToByteString(), Signature = ByteString.CopyFrom(new byte[64]) }.ToByteArray();
    }

    private static void Save(string root, string target, string name, byte[] bytes)
    {
        var directory = Path.Combine(root, target);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name), bytes);
    }

    private static byte[] Draw(Crypto.IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }
}
