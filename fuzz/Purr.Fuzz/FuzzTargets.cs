using System.Text;
using Google.Protobuf;
using Purr.Client;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Client.Rooms;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Fuzz;

/// <summary>
/// Every fuzz target: untrusted bytes in, and only the documented refusal out. A target lets an exception
/// through (a crash, to afl-fuzz) when the code under test threw anything it does not document.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        // The server's frame reader, request decoding and dispatch to every module's handlers.
        ["server"] = ServerSessionTarget.Run,

        // A WebSocket upgrade's request head and the frames after it, as purrd reads them below HTTP.
        ["websocket"] = WebSocketTarget.Run,

        // purr:// addresses (in configuration, cards, room links, the CLI).
        ["address"] = input => PurrAddress.TryParse(Encoding.UTF8.GetString(input), out _, out _),

        // Card links, as pasted by a person or scanned from a QR code.
        ["card"] = input => Refused<CardException>(() => Card.Parse(Encoding.UTF8.GetString(input), DateTimeOffset.UnixEpoch)),

        // Room links.
        ["room-link"] = input => Refused<PurrClientException>(() => RoomLink.Parse(Encoding.UTF8.GetString(input))),

        // A profile file (its unencrypted form, so the JSON reader is reached).
        ["profile"] = ProfileTarget.Run,

        // The ratchet's decrypt path, on a message from the network.
        ["ratchet"] = RatchetTarget.Run,

        // Onion packets and answers (a hop's peeling, a client's opening, building round trips).
        ["onion"] = OnionTarget.Run,
    };

    /// <summary>Runs <paramref name="parse"/>; its documented refusal is fine, anything else escapes.</summary>
    internal static void Refused<TException>(Action parse)
        where TException : Exception
    {
        try
        {
            parse();
        }
        catch (TException)
        {
        }
    }
}

internal static class ProfileTarget
{
    private static readonly string Directory = Path.Combine(Path.GetTempPath(), $"purr-fuzz-profile-{Environment.ProcessId}");

    public static void Run(byte[] input)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllBytes(Path.Combine(Directory, "profile.purr"), [.. "PURRPRF1"u8, 0, .. input]);
        FuzzTargets.Refused<ProfileException>(() => ProfileFile.Open(Directory, () => null));
    }
}

internal static class RatchetTarget
{
    private static readonly Lazy<(Session Receiver, byte[] Seed)> Fixture = new(Create);

    public static void Run(byte[] input)
    {
        RatchetEnvelope envelope;
        try
        {
            envelope = RatchetEnvelope.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException)
        {
            return;
        }

        // A fresh copy of the receiving session for every input; a failed open must leave it as it was.
        var (receiver, _) = Fixture.Value;
        var copy = new Session(receiver.State.Clone(), receiver.AssociatedData);
        copy.Open(envelope, new TestKit.SeededRandomSource([1]));
    }

    /// <summary>The first message a fixed sender seals to a fixed receiver: the seed corpus starts from it.</summary>
    public static byte[] SeedMessage() => Fixture.Value.Seed;

    private static (Session, byte[]) Create()
    {
        var random = new TestKit.SeededRandomSource([7]);
        var secrets = new Crypto.Ratchet.SessionSecrets(Bytes(random, 32), Bytes(random, 32), Bytes(random, 32));
        var prekey = Crypto.X25519KeyPair.FromSecret(Bytes(random, 32));
        var ad = Bytes(random, 64);
        var sender = new Session(Crypto.Ratchet.DoubleRatchet.InitializeInitiator(secrets, prekey.PublicKey, random), ad);
        var receiver = new Session(Crypto.Ratchet.DoubleRatchet.InitializeResponder(secrets, prekey), ad);
        var sealedMessage = sender.Seal(new Envelope { Text = new Text { Text_ = "seed" } }, random);
        return (receiver, sealedMessage.ToByteArray());
    }

    private static byte[] Bytes(Crypto.IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }
}

/// <summary>
/// Onion packets (PROTOCOL.md 15.5). The first byte picks what the rest is: even, a packet (cut or zero-padded to the
/// packet size) for the first hop of a fixed three-hop route, and also an answer for its client: a layer whose MAC
/// holds, or an answer that opens, would be a forgery. Odd, an address and an exit message to build a route with:
/// every hop must peel exactly what was built.
/// </summary>
internal static class OnionTarget
{
    private static readonly Lazy<Crypto.X25519KeyPair[]> Hops = new(() =>
        [.. Enumerable.Range(1, 3).Select(i => Crypto.X25519KeyPair.FromSecret(Enumerable.Repeat((byte)i, 32).ToArray()))]);

    /// <summary>A packet the fixed route's first hop peels (its MAC holds there, so the fuzzer starts past the checks before it).</summary>
    public static byte[] SeedPacket() => [0, .. Protocol.Federation.OnionPacket.Build(
        [.. Hops.Value.Select(h => h.PublicKey)], ["purr://b.example", "purr://c.example"], "ping"u8, 1_793_620_800, new byte[32],
        new TestKit.SeededRandomSource([7])).Packet];

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var hops = Hops.Value;
        var body = input.AsSpan(1);
        if (input[0] % 2 == 0)
        {
            var packet = new byte[Protocol.Federation.OnionPacket.PacketBytes];
            body[..Math.Min(body.Length, packet.Length)].CopyTo(packet);
            if (Protocol.Federation.OnionPacket.Peel(hops[0], packet) is { MacValid: true } && !packet.AsSpan().SequenceEqual(SeedPacket().AsSpan(1)))
            {
                throw new InvalidOperationException("a layer nobody built passed its MAC");
            }

            var keys = new Protocol.Federation.OnionReplyKeys([.. hops.Select(h => new Protocol.Federation.OnionHopKeys(h.PublicKey, h.PublicKey))]);
            if (Protocol.Federation.OnionPacket.OpenReply(keys, packet.AsSpan(0, Protocol.Federation.OnionPacket.ReplyBytes)) is not null)
            {
                throw new InvalidOperationException("an answer nobody sealed opened");
            }

            return;
        }

        var split = body.IndexOf((byte)0);
        var address = Encoding.UTF8.GetString(split < 0 ? body : body[..split]);
        var message = split < 0 ? [] : body[(split + 1)..].ToArray();
        (byte[] Packet, Protocol.Federation.OnionReplyKeys Keys) built;
        try
        {
            built = Protocol.Federation.OnionPacket.Build(
                [.. hops.Select(h => h.PublicKey)], [address, address], message, 1_793_620_800, new byte[32], Crypto.SystemRandomSource.Instance);
        }
        catch (ArgumentException)
        {
            return; // an address or a message too long for a frame or the payload: refused as documented
        }

        var current = built.Packet;
        for (var i = 0; i < hops.Length; i++)
        {
            var layer = Protocol.Federation.OnionPacket.Peel(hops[i], current) ?? throw new InvalidOperationException($"hop {i} could not peel");
            var expected = i < hops.Length - 1 ? Protocol.Federation.OnionInstruction.Forward : Protocol.Federation.OnionInstruction.Exit;
            if (!layer.MacValid || layer.Instruction != expected || (i < hops.Length - 1 && layer.NextAddress != address))
            {
                throw new InvalidOperationException($"hop {i} peeled something else than was built");
            }

            current = layer.Inner;
        }

        if (!current.AsSpan().SequenceEqual(message))
        {
            throw new InvalidOperationException("the exit got another message than was built");
        }
    }
}
