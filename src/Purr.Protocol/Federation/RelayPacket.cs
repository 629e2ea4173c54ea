using System.Buffers.Binary;
using System.Text;
using Purr.Crypto;

namespace Purr.Protocol.Federation;

/// <summary>What a client keeps to open the answer to a packet it sealed.</summary>
public sealed record RelayReplyKey(byte[] EphemeralKey, byte[] ResponseKey);

/// <summary>A request packet the destination opened: the message, and the key its answer is sealed under.</summary>
public sealed record OpenedRelayPacket(byte[] Message, RelayReplyKey Reply);

/// <summary>
/// Relay packets (PROTOCOL.md section 15): one request sealed to a destination server's X25519 key so that the
/// proxy carrying it learns nothing but the destination, and the destination's answer sealed back. Every packet,
/// request or answer, is exactly <see cref="PacketBytes"/> long, whatever it holds. The construction is the
/// ephemeral-static seal Purr uses for contact requests (X25519, HKDF-SHA256, XChaCha20-Poly1305) with a second
/// key from the same derivation for the answer.
/// </summary>
public static class RelayPacket
{
    public const int PacketBytes = 20_480;
    public const int NonceBytes = 24;

    /// <summary>Request packet: ephemeral key (32) ‖ nonce (24) ‖ ciphertext of this many bytes ‖ tag (16).</summary>
    public const int RequestBodyBytes = PacketBytes - X25519.KeyBytes - NonceBytes - Aead.TagBytes;

    /// <summary>Answer packet: nonce (24) ‖ ciphertext of this many bytes ‖ tag (16).</summary>
    public const int ResponseBodyBytes = PacketBytes - NonceBytes - Aead.TagBytes;

    /// <summary>The largest message a request packet holds (its body starts with a 4-byte length).</summary>
    public const int MaxRequestMessageBytes = RequestBodyBytes - 4;

    public const int MaxResponseMessageBytes = ResponseBodyBytes - 4;

    private static readonly byte[] KeyInfo = Encoding.ASCII.GetBytes("purr/v1 relay packet");
    private static readonly byte[] RequestContext = Encoding.ASCII.GetBytes("purr/v1 relay request");
    private static readonly byte[] ResponseContext = Encoding.ASCII.GetBytes("purr/v1 relay response");

    /// <summary>
    /// Seals <paramref name="message"/> to the server whose X25519 key is <paramref name="serverKey"/>, from a fresh
    /// <paramref name="ephemeral"/> key pair (used for this one packet: the destination refuses its key a second time,
    /// and signatures inside the packet cover it). The nonce is drawn from <paramref name="random"/>.
    /// </summary>
    public static (byte[] Packet, RelayReplyKey Reply) Seal(
        ReadOnlySpan<byte> serverKey, X25519KeyPair ephemeral, ReadOnlySpan<byte> message, IRandomSource random)
    {
        if (message.Length > MaxRequestMessageBytes)
        {
            throw new ArgumentException($"a relayed request holds at most {MaxRequestMessageBytes} bytes", nameof(message));
        }

        var shared = ephemeral.Agree(serverKey) ?? throw new ArgumentException("the server's X25519 key is invalid", nameof(serverKey));
        var (requestKey, responseKey) = Keys(shared, ephemeral.PublicKey, serverKey);
        var nonce = new byte[NonceBytes];
        random.Fill(nonce);
        var packet = new byte[PacketBytes];
        ephemeral.PublicKey.CopyTo(packet, 0);
        nonce.CopyTo(packet, X25519.KeyBytes);
        var ciphertext = Aead.XChaCha20Poly1305.Encrypt(
            requestKey, nonce, Body(message, RequestBodyBytes), Concat(RequestContext, ephemeral.PublicKey, serverKey));
        ciphertext.CopyTo(packet, X25519.KeyBytes + NonceBytes);
        return (packet, new RelayReplyKey(ephemeral.PublicKey, responseKey));
    }

    /// <summary>A fresh ephemeral key pair for one packet, its secret drawn from <paramref name="random"/>.</summary>
    public static X25519KeyPair NewEphemeral(IRandomSource random)
    {
        var secret = new byte[X25519.KeyBytes];
        random.Fill(secret);
        try
        {
            return X25519KeyPair.FromSecret(secret);
        }
        finally
        {
            CryptographicClear(secret);
        }
    }

    /// <summary>The message in a request packet sealed to <paramref name="serverKey"/>, or null (wrong size, tampered, another key).</summary>
    public static OpenedRelayPacket? Open(X25519KeyPair serverKey, ReadOnlySpan<byte> packet)
    {
        if (packet.Length != PacketBytes)
        {
            return null;
        }

        var ephemeralKey = packet[..X25519.KeyBytes].ToArray();
        if (serverKey.Agree(ephemeralKey) is not { } shared)
        {
            return null;
        }

        var (requestKey, responseKey) = Keys(shared, ephemeralKey, serverKey.PublicKey);
        var body = Aead.XChaCha20Poly1305.Decrypt(
            requestKey,
            packet.Slice(X25519.KeyBytes, NonceBytes),
            packet[(X25519.KeyBytes + NonceBytes)..],
            Concat(RequestContext, ephemeralKey, serverKey.PublicKey));
        return body is not null && Unframe(body) is { } message ? new OpenedRelayPacket(message, new RelayReplyKey(ephemeralKey, responseKey)) : null;
    }

    /// <summary>Seals the destination's answer under the packet's response key.</summary>
    public static byte[] SealResponse(RelayReplyKey reply, ReadOnlySpan<byte> message, IRandomSource random)
    {
        if (message.Length > MaxResponseMessageBytes)
        {
            throw new ArgumentException($"a relayed answer holds at most {MaxResponseMessageBytes} bytes", nameof(message));
        }

        var packet = new byte[PacketBytes];
        var nonce = packet.AsSpan(0, NonceBytes);
        random.Fill(nonce);
        var ciphertext = Aead.XChaCha20Poly1305.Encrypt(
            reply.ResponseKey, nonce, Body(message, ResponseBodyBytes), Concat(ResponseContext, reply.EphemeralKey, []));
        ciphertext.CopyTo(packet, NonceBytes);
        return packet;
    }

    /// <summary>The answer's message, or null when the packet is not the answer to the request <paramref name="reply"/> belongs to.</summary>
    public static byte[]? OpenResponse(RelayReplyKey reply, ReadOnlySpan<byte> packet)
    {
        if (packet.Length != PacketBytes)
        {
            return null;
        }

        var body = Aead.XChaCha20Poly1305.Decrypt(
            reply.ResponseKey, packet[..NonceBytes], packet[NonceBytes..], Concat(ResponseContext, reply.EphemeralKey, []));
        return body is null ? null : Unframe(body);
    }

    /// <summary>HKDF-SHA256(DH, salt = 32 zero bytes, info = "purr/v1 relay packet" ‖ 0x00 ‖ E ‖ S, 64): request key ‖ response key.</summary>
    private static (byte[] Request, byte[] Response) Keys(byte[] shared, ReadOnlySpan<byte> ephemeralKey, ReadOnlySpan<byte> serverKey)
    {
        var keys = Kdf.HkdfSha256(shared, new byte[32], Concat(KeyInfo, ephemeralKey, serverKey), 2 * Aead.KeyBytes);
        CryptographicClear(shared);
        return (keys[..Aead.KeyBytes], keys[Aead.KeyBytes..]);
    }

    /// <summary>u32 big-endian length ‖ message ‖ zero bytes up to <paramref name="size"/>.</summary>
    private static byte[] Body(ReadOnlySpan<byte> message, int size)
    {
        var body = new byte[size];
        BinaryPrimitives.WriteUInt32BigEndian(body, (uint)message.Length);
        message.CopyTo(body.AsSpan(4));
        return body;
    }

    private static byte[]? Unframe(byte[] body)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(body);
        return length <= body.Length - 4 ? body.AsSpan(4, (int)length).ToArray() : null;
    }

    private static byte[] Concat(byte[] context, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) =>
        [.. context, 0, .. first, .. second];

    private static void CryptographicClear(byte[] bytes) => System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
}
