using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Purr.Crypto;

namespace Purr.Protocol.Federation;

/// <summary>What one hop of a route shares with the client that built the packet: the keys of its answer layer.</summary>
public sealed record OnionHopKeys(byte[] ReplyMacKey, byte[] ReplyStreamKey);

/// <summary>What a client keeps to open the answer to an onion packet: one entry per hop, the first hop first.</summary>
public sealed record OnionReplyKeys(IReadOnlyList<OnionHopKeys> Hops);

/// <summary>What a hop does with a packet it peeled: send the inner packet on to another server, or act on the payload itself.</summary>
public enum OnionInstruction : byte
{
    Forward = 0x01,
    Exit = 0x02,
}

/// <summary>A layer a hop removed: the hop's own reply keys, its replay tag, and what the layer tells it to do.</summary>
public sealed record PeeledOnion(
    OnionHopKeys Keys, byte[] ReplayTag, bool MacValid, OnionInstruction Instruction, long SentAt, string NextAddress, byte[] Inner);

/// <summary>An answer that opened: which hop (0 = the first) sealed it, and the message inside.</summary>
public sealed record OpenedOnionReply(int Hop, byte[] Message);

/// <summary>
/// Onion ("Matriochka") packets, PROTOCOL.md section 15.5: Sphinx (Danezis and Goldberg, 2009) as BOLT 4 instantiates
/// it — per-hop secrets from one ephemeral key blinded at every hop, fixed-size routing information shifted and
/// refilled with a filler, a MAC per hop, ChaCha20 keystreams, and answers wrapped by every hop on the way back — with
/// X25519 as the group (as Katzenpost's Sphinx does) and fixed 384-byte hop frames. The MAC of each hop covers the
/// payload as well as the routing information, so a layer changed anywhere is refused by the next hop. Every packet
/// is <see cref="PacketBytes"/> long and every answer <see cref="ReplyBytes"/>, at every hop, whatever the route's
/// length or the hop's position in it.
/// </summary>
public static class OnionPacket
{
    public const byte Version = 0x01;
    public const int MaxHops = 5;
    public const int FrameBytes = 384;
    public const int RoutingBytes = MaxHops * FrameBytes;
    public const int MacBytes = 32;
    public const int PacketBytes = 24_576;
    public const int HeaderBytes = 1 + X25519.KeyBytes + RoutingBytes + MacBytes;
    public const int PayloadBytes = PacketBytes - HeaderBytes;
    public const int ReplyBytes = 24_576;

    /// <summary>The longest next-hop address a frame holds (UTF-8 bytes).</summary>
    public const int MaxAddressBytes = FrameBytes - 1 - 8 - 2 - MacBytes;

    /// <summary>The largest message the exit hop's payload holds (after its 4-byte length).</summary>
    public const int MaxExitMessageBytes = PayloadBytes - 4;

    /// <summary>The largest message an answer holds (after the MAC and the 4-byte length).</summary>
    public const int MaxReplyMessageBytes = ReplyBytes - MacBytes - 4;

    private const int AlphaOffset = 1;
    private const int RoutingOffset = AlphaOffset + X25519.KeyBytes;
    private const int MacOffset = RoutingOffset + RoutingBytes;
    private const int PayloadOffset = MacOffset + MacBytes;

    private static readonly byte[] KeysInfo = Encoding.ASCII.GetBytes("purr/v1 onion keys\0");
    private static readonly byte[] BlindContext = Encoding.ASCII.GetBytes("purr/v1 onion blind\0");
    private static readonly byte[] ReplayContext = Encoding.ASCII.GetBytes("purr/v1 onion replay\0");

    /// <summary>
    /// Builds a packet for the route whose hops have the X25519 keys <paramref name="hopKeys"/> (first hop first):
    /// hop i is told to forward to <paramref name="nextAddresses"/>[i], the last hop to act on
    /// <paramref name="exitMessage"/>. <paramref name="ephemeralSecret"/> is used for this packet only; the padding
    /// of the routing information comes from <paramref name="random"/>.
    /// </summary>
    public static (byte[] Packet, OnionReplyKeys Keys) Build(
        IReadOnlyList<byte[]> hopKeys, IReadOnlyList<string> nextAddresses, ReadOnlySpan<byte> exitMessage, long sentAt,
        ReadOnlySpan<byte> ephemeralSecret, IRandomSource random)
    {
        var hops = hopKeys.Count;
        if (hops is < 1 or > MaxHops)
        {
            throw new ArgumentException($"a route has 1 to {MaxHops} hops", nameof(hopKeys));
        }

        if (nextAddresses.Count != hops - 1)
        {
            throw new ArgumentException("every hop but the last needs the address of the next", nameof(nextAddresses));
        }

        if (exitMessage.Length > MaxExitMessageBytes)
        {
            throw new ArgumentException($"an onion packet's payload holds at most {MaxExitMessageBytes} bytes", nameof(exitMessage));
        }

        var alphas = new byte[hops][];
        var secrets = new byte[hops][];
        var keys = new LayerKeys[hops];
        alphas[0] = new byte[X25519.KeyBytes];
        X25519.PublicKeyFromSecret(ephemeralSecret, alphas[0]);
        var blinds = new List<byte[]>();
        for (var i = 0; i < hops; i++)
        {
            // s_i = X25519(b_{i-1}, … X25519(b_0, X25519(e, P_i))): what hop i computes as X25519(x_i, alpha_i).
            var secret = Agree(ephemeralSecret, hopKeys[i]) ?? throw new ArgumentException($"hop {i + 1}'s X25519 key is invalid", nameof(hopKeys));
            foreach (var blind in blinds)
            {
                secret = Agree(blind, secret) ?? throw new ArgumentException($"hop {i + 1}'s X25519 key is invalid", nameof(hopKeys));
            }

            secrets[i] = secret;
            keys[i] = LayerKeys.Derive(secret, alphas[i]);
            var b = Blind(alphas[i], secret);
            blinds.Add(b);
            if (i + 1 < hops)
            {
                alphas[i + 1] = Agree(b, alphas[i]) ?? throw new ArgumentException("blinding failed", nameof(hopKeys));
            }
        }

        var filler = Filler(keys, hops);
        var routing = new byte[RoutingBytes];
        random.Fill(routing);
        var payload = new byte[PayloadBytes];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)exitMessage.Length);
        exitMessage.CopyTo(payload.AsSpan(4));
        var nextMac = new byte[MacBytes];
        for (var i = hops - 1; i >= 0; i--)
        {
            routing.AsSpan(0, RoutingBytes - FrameBytes).CopyTo(routing.AsSpan(FrameBytes));
            WriteFrame(routing.AsSpan(0, FrameBytes), i == hops - 1 ? OnionInstruction.Exit : OnionInstruction.Forward,
                sentAt, i == hops - 1 ? "" : nextAddresses[i], nextMac);
            Span<byte> stream = new byte[RoutingBytes + FrameBytes];
            ChaCha20.Keystream(keys[i].Routing, stream);
            Xor(routing, stream[..RoutingBytes]);
            if (i == hops - 1)
            {
                filler.CopyTo(routing.AsSpan(RoutingBytes - filler.Length));
            }

            ChaCha20.Xor(keys[i].Payload, payload);
            nextMac = Mac(keys[i].Mac, routing, payload);
        }

        var packet = new byte[PacketBytes];
        packet[0] = Version;
        alphas[0].CopyTo(packet, AlphaOffset);
        routing.CopyTo(packet, RoutingOffset);
        nextMac.CopyTo(packet, MacOffset);
        payload.CopyTo(packet, PayloadOffset);
        foreach (var secret in secrets)
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        return (packet, new OnionReplyKeys([.. keys.Select(k => new OnionHopKeys(k.ReplyMac, k.ReplyStream))]));
    }

    /// <summary>
    /// Removes this hop's layer with its X25519 secret. Null when the packet cannot be a layer for this hop at all
    /// (wrong size or version, a low-order key): then no answer can be authenticated. Otherwise the result says whether
    /// the MAC held (when it did not, only its keys may be used, to answer the error) and what the layer says.
    /// </summary>
    public static PeeledOnion? Peel(X25519KeyPair hopKey, ReadOnlySpan<byte> packet)
    {
        if (packet.Length != PacketBytes || packet[0] != Version)
        {
            return null;
        }

        var alpha = packet.Slice(AlphaOffset, X25519.KeyBytes).ToArray();
        if (hopKey.Agree(alpha) is not { } secret)
        {
            return null;
        }

        var keys = LayerKeys.Derive(secret, alpha);
        var replayTag = SHA256.HashData([.. ReplayContext, .. secret]);
        var hopKeys = new OnionHopKeys(keys.ReplyMac, keys.ReplyStream);
        var routing = packet.Slice(RoutingOffset, RoutingBytes);
        var payload = packet.Slice(PayloadOffset, PayloadBytes);
        if (!ConstantTime.Equal(Mac(keys.Mac, routing, payload), packet.Slice(MacOffset, MacBytes)))
        {
            CryptographicOperations.ZeroMemory(secret);
            return new PeeledOnion(hopKeys, replayTag, false, 0, 0, "", []);
        }

        var shifted = new byte[RoutingBytes + FrameBytes];
        routing.CopyTo(shifted);
        Span<byte> stream = new byte[RoutingBytes + FrameBytes];
        ChaCha20.Keystream(keys.Routing, stream);
        Xor(shifted, stream);
        var frame = shifted.AsSpan(0, FrameBytes);
        var instruction = (OnionInstruction)frame[0];
        var sentAt = BinaryPrimitives.ReadInt64BigEndian(frame[1..]);
        var addressLength = BinaryPrimitives.ReadUInt16BigEndian(frame[9..]);
        var innerPayload = payload.ToArray();
        ChaCha20.Xor(keys.Payload, innerPayload);
        var blind = Blind(alpha, secret);
        CryptographicOperations.ZeroMemory(secret);
        if (instruction == OnionInstruction.Exit)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(innerPayload);
            var message = length <= PayloadBytes - 4 ? innerPayload.AsSpan(4, (int)length).ToArray() : null;
            return message is null
                ? new PeeledOnion(hopKeys, replayTag, true, 0, sentAt, "", [])
                : new PeeledOnion(hopKeys, replayTag, true, OnionInstruction.Exit, sentAt, "", message);
        }

        if (instruction != OnionInstruction.Forward || addressLength > MaxAddressBytes)
        {
            return new PeeledOnion(hopKeys, replayTag, true, 0, sentAt, "", []);
        }

        string next;
        try
        {
            next = new UTF8Encoding(false, true).GetString(frame.Slice(11, addressLength));
        }
        catch (DecoderFallbackException)
        {
            return new PeeledOnion(hopKeys, replayTag, true, 0, sentAt, "", []);
        }

        var inner = new byte[PacketBytes];
        inner[0] = Version;
        if (Agree(blind, alpha) is not { } nextAlpha)
        {
            return new PeeledOnion(hopKeys, replayTag, true, 0, sentAt, "", []);
        }

        nextAlpha.CopyTo(inner, AlphaOffset);
        shifted.AsSpan(FrameBytes, RoutingBytes).CopyTo(inner.AsSpan(RoutingOffset));
        frame[(FrameBytes - MacBytes)..].CopyTo(inner.AsSpan(MacOffset));
        innerPayload.CopyTo(inner, PayloadOffset);
        return new PeeledOnion(hopKeys, replayTag, true, OnionInstruction.Forward, sentAt, next, inner);
    }

    /// <summary>The answer a hop originates (the exit's answer, or any hop's error): MAC ‖ u32 length ‖ message ‖ zeros, then its stream.</summary>
    public static byte[] SealReply(OnionHopKeys keys, ReadOnlySpan<byte> message)
    {
        if (message.Length > MaxReplyMessageBytes)
        {
            throw new ArgumentException($"an onion answer holds at most {MaxReplyMessageBytes} bytes", nameof(message));
        }

        var reply = new byte[ReplyBytes];
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(MacBytes), (uint)message.Length);
        message.CopyTo(reply.AsSpan(MacBytes + 4));
        Kdf.HmacSha256(keys.ReplyMacKey, reply.AsSpan(MacBytes), reply.AsSpan(0, MacBytes));
        ChaCha20.Xor(keys.ReplyStreamKey, reply);
        return reply;
    }

    /// <summary>A hop on the way back adds its layer to the answer the next hop gave it (in place).</summary>
    public static void WrapReply(OnionHopKeys keys, Span<byte> reply)
    {
        if (reply.Length != ReplyBytes)
        {
            throw new ArgumentException($"onion answers are {ReplyBytes} bytes", nameof(reply));
        }

        ChaCha20.Xor(keys.ReplyStreamKey, reply);
    }

    /// <summary>The client removes the layers first hop first, until one hop's MAC holds: that hop sealed the answer. Null if none does.</summary>
    public static OpenedOnionReply? OpenReply(OnionReplyKeys keys, ReadOnlySpan<byte> reply)
    {
        if (reply.Length != ReplyBytes)
        {
            return null;
        }

        var open = reply.ToArray();
        Span<byte> mac = stackalloc byte[MacBytes];
        for (var hop = 0; hop < keys.Hops.Count; hop++)
        {
            ChaCha20.Xor(keys.Hops[hop].ReplyStreamKey, open);
            Kdf.HmacSha256(keys.Hops[hop].ReplyMacKey, open.AsSpan(MacBytes), mac);
            if (ConstantTime.Equal(mac, open.AsSpan(0, MacBytes)))
            {
                var length = BinaryPrimitives.ReadUInt32BigEndian(open.AsSpan(MacBytes));
                return length <= MaxReplyMessageBytes ? new OpenedOnionReply(hop, open.AsSpan(MacBytes + 4, (int)length).ToArray()) : null;
            }
        }

        return null;
    }

    /// <summary>
    /// The filler (BOLT 4's header padding): what the hops before the last append to the routing information as they
    /// shift it, computed ahead so that the last hop's MAC covers it.
    /// </summary>
    private static byte[] Filler(LayerKeys[] keys, int hops)
    {
        var filler = new byte[(hops - 1) * FrameBytes];
        var stream = new byte[RoutingBytes + FrameBytes];
        for (var i = 1; i < hops; i++)
        {
            ChaCha20.Keystream(keys[i - 1].Routing, stream);
            Xor(filler.AsSpan(0, i * FrameBytes), stream.AsSpan(RoutingBytes - ((i - 1) * FrameBytes), i * FrameBytes));
        }

        return filler;
    }

    /// <summary>instruction (1) ‖ sent_at (8, big-endian) ‖ address length (2) ‖ address (zero-padded) ‖ next hop's MAC (32).</summary>
    private static void WriteFrame(Span<byte> frame, OnionInstruction instruction, long sentAt, string address, ReadOnlySpan<byte> nextMac)
    {
        frame.Clear();
        var bytes = Encoding.UTF8.GetBytes(address);
        if (bytes.Length > MaxAddressBytes)
        {
            throw new ArgumentException($"a hop's address is at most {MaxAddressBytes} bytes in UTF-8", nameof(address));
        }

        frame[0] = (byte)instruction;
        BinaryPrimitives.WriteInt64BigEndian(frame[1..], sentAt);
        BinaryPrimitives.WriteUInt16BigEndian(frame[9..], (ushort)bytes.Length);
        bytes.CopyTo(frame[11..]);
        nextMac.CopyTo(frame[(FrameBytes - MacBytes)..]);
    }

    /// <summary>HMAC-SHA256(mu, routing information ‖ payload).</summary>
    private static byte[] Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> routing, ReadOnlySpan<byte> payload)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(routing);
        hmac.AppendData(payload);
        return hmac.GetHashAndReset();
    }

    /// <summary>b = SHA-256("purr/v1 onion blind" ‖ 0x00 ‖ alpha ‖ s), used as an X25519 scalar.</summary>
    private static byte[] Blind(ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> secret) => SHA256.HashData([.. BlindContext, .. alpha, .. secret]);

    private static byte[]? Agree(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point)
    {
        var result = new byte[X25519.KeyBytes];
        return X25519.TryAgree(scalar, point, result) ? result : null;
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> stream)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] ^= stream[i];
        }
    }

    /// <summary>A hop's five keys: HKDF-SHA256(s, salt = 32 zero bytes, info = "purr/v1 onion keys" ‖ 0x00 ‖ alpha, 160).</summary>
    private sealed record LayerKeys(byte[] Routing, byte[] Mac, byte[] Payload, byte[] ReplyMac, byte[] ReplyStream)
    {
        public static LayerKeys Derive(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> alpha)
        {
            var okm = Kdf.HkdfSha256(secret, new byte[32], [.. KeysInfo, .. alpha], 160);
            return new LayerKeys(okm[..32], okm[32..64], okm[64..96], okm[96..128], okm[128..160]);
        }
    }
}
