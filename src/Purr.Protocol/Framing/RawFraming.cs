using System.Buffers;
using System.Buffers.Binary;

namespace Purr.Protocol.Framing;

/// <summary>
/// The raw framing (PROTOCOL.md section 2) for byte streams without WebSocket: over TCP on the server's own
/// port and over Unix sockets. The client opens with an 8-byte preamble, then each frame is a 4-byte big-endian
/// length and that many bytes of protobuf. A zero-length frame is a keep-alive: the server sends one when it
/// has sent nothing for its ping interval and the client answers each with one of its own.
/// </summary>
public static class RawFraming
{
    /// <summary>"purr/v1\n": no HTTP method starts so, which lets one port serve HTTP and the raw framing.</summary>
    public static ReadOnlySpan<byte> Preamble => "purr/v1\n"u8;

    public const int HeaderBytes = 4;

    /// <summary>A 4-byte big-endian length followed by the frame, in one array (one write, one packet for small frames).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> frame)
    {
        var bytes = new byte[HeaderBytes + frame.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)frame.Length);
        frame.CopyTo(bytes.AsSpan(HeaderBytes));
        return bytes;
    }

    /// <summary>The zero-length keep-alive frame.</summary>
    public static ReadOnlyMemory<byte> KeepAlive { get; } = new byte[HeaderBytes];
}

/// <summary>
/// Reads raw-framed frames from a stream into pooled buffers (the client side; the server reads from Kestrel's
/// pipe). Keep-alives are not returned: <paramref name="onKeepAlive"/> is called for each.
/// </summary>
public sealed class StreamFrameReader(Stream stream, int maxFrameBytes, Action? onKeepAlive = null)
{
    private readonly byte[] header = new byte[RawFraming.HeaderBytes];

    public async ValueTask<Frame> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await FillAsync(header, cancellationToken))
            {
                return new Frame(FrameKind.Close, null, 0);
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length == 0)
            {
                onKeepAlive?.Invoke();
                continue;
            }

            if (length > (uint)maxFrameBytes)
            {
                return new Frame(FrameKind.TooLarge, null, 0);
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                if (!await FillAsync(buffer.AsMemory(0, (int)length), cancellationToken))
                {
                    throw new IOException("the stream ended inside a frame");
                }

                return new Frame(FrameKind.Binary, buffer, (int)length);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
    }

    /// <summary>Reads exactly the buffer; false when the stream ends before its first byte.</summary>
    private async ValueTask<bool> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await stream.ReadAsync(buffer[read..], cancellationToken);
            if (count == 0)
            {
                return read == 0 ? false : throw new IOException("the stream ended inside a frame");
            }

            read += count;
        }

        return true;
    }
}
