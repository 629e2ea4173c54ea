using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Purr.Server.Transport;

/// <summary>A WebSocket frame header as RFC 6455 section 5.2 lays it out, read from a client (so masked).</summary>
internal readonly record struct WebSocketFrameHeader(bool Fin, int Reserved, int Opcode, bool Masked, long PayloadLength, int HeaderLength, uint Mask)
{
    public bool IsControl => (Opcode & 0x8) != 0;
}

/// <summary>
/// RFC 6455 section 5 framing, the server's side: reading client frame headers, unmasking their payloads and writing
/// the server's (unmasked) frame headers. <see cref="PipeWebSocketChannel"/> frames Purr's messages with it directly on
/// a connection's pipes.
/// </summary>
internal static class WebSocketFraming
{
    public const int Continuation = 0x0;
    public const int Text = 0x1;
    public const int Binary = 0x2;
    public const int Close = 0x8;
    public const int Ping = 0x9;
    public const int Pong = 0xA;

    /// <summary>Control frames carry at most 125 bytes (section 5.5).</summary>
    public const int MaxControlPayload = 125;

    /// <summary>The longest header: 2 bytes, an 8-byte length, a 4-byte mask.</summary>
    public const int MaxHeaderBytes = 14;

    /// <summary>Reads the header at the start of <paramref name="buffer"/>; false when it has not all arrived yet.</summary>
    public static bool TryReadHeader(ReadOnlySequence<byte> buffer, out WebSocketFrameHeader header)
    {
        header = default;
        Span<byte> bytes = stackalloc byte[MaxHeaderBytes];
        var available = (int)Math.Min(buffer.Length, MaxHeaderBytes);
        if (available < 2)
        {
            return false;
        }

        buffer.Slice(0, available).CopyTo(bytes);
        var masked = (bytes[1] & 0x80) != 0;
        var length7 = bytes[1] & 0x7F;
        var lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        var headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        if (available < headerLength)
        {
            return false;
        }

        long length = length7 switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]),
            // The most significant bit must be 0 (section 5.2); the caller refuses the negative value it gives here.
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]),
            _ => length7,
        };
        var mask = masked ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[(2 + lengthBytes)..]) : 0;
        header = new WebSocketFrameHeader((bytes[0] & 0x80) != 0, (bytes[0] >> 4) & 0x7, bytes[0] & 0xF, masked, length, headerLength, mask);
        return true;
    }

    /// <summary>XORs a payload with its frame's mask (section 5.3), eight bytes at a time.</summary>
    public static void Unmask(Span<byte> payload, uint mask)
    {
        var wide = mask | ((ulong)mask << 32);
        // The words are read in the machine's byte order; the mask's bytes are laid out for a little-endian one.
        var whole = BitConverter.IsLittleEndian ? payload.Length & ~7 : 0;
        foreach (ref var word in MemoryMarshal.Cast<byte, ulong>(payload[..whole]))
        {
            word ^= wide;
        }

        for (var i = whole; i < payload.Length; i++)
        {
            payload[i] ^= (byte)(mask >> (8 * (i & 3)));
        }
    }

    /// <summary>Writes an unmasked, final frame's header for <paramref name="payloadLength"/> bytes; returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, int opcode, int payloadLength)
    {
        destination[0] = (byte)(0x80 | opcode);
        if (payloadLength <= 125)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }

        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }

        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    /// <summary>A whole control frame (ping, pong, close) from the server, ready to write.</summary>
    public static byte[] ControlFrame(int opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[2 + payload.Length];
        WriteHeader(frame, opcode, payload.Length);
        payload.CopyTo(frame.AsSpan(2));
        return frame;
    }
}
