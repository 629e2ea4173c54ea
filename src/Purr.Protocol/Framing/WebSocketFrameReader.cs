using System.Buffers;
using System.Net.WebSockets;

namespace Purr.Protocol.Framing;

/// <summary>
/// Purr's one framing: one binary WebSocket message is one protobuf frame (PROTOCOL.md section 2). Reads whole
/// messages into pooled buffers that grow only as a message needs, up to the frame limit, so an idle
/// connection holds no large buffer, and stops at the limit instead of buffering an oversized message.
/// Used by the server, the client library and the bench's relay alike.
/// </summary>
public sealed class WebSocketFrameReader(WebSocket socket, int maxFrameBytes)
{
    private const int InitialBytes = 4096;

    public async ValueTask<Frame> ReadAsync(CancellationToken cancellationToken)
    {
        // Wait for data without holding a buffer: a zero-byte read completes when a frame begins.
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return new Frame(FrameKind.Close, null, 0);
        }

        if (first.EndOfMessage)
        {
            // An empty message: nothing more to read for it.
            return new Frame(first.MessageType == WebSocketMessageType.Text ? FrameKind.Text : FrameKind.Binary, null, 0);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= maxFrameBytes + 1)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return new Frame(FrameKind.TooLarge, null, 0);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxFrameBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new Frame(FrameKind.Close, null, 0);
                }

                length += result.Count;
                if (length > maxFrameBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new Frame(FrameKind.TooLarge, null, 0);
                }

                if (result.EndOfMessage)
                {
                    if (result.MessageType == WebSocketMessageType.Text)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return new Frame(FrameKind.Text, null, 0);
                    }

                    return new Frame(FrameKind.Binary, buffer, length);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}

public enum FrameKind
{
    Binary,
    Text,
    Close,
    TooLarge,
}

/// <summary>A received message; disposing it returns its buffer to the pool.</summary>
public readonly struct Frame(FrameKind kind, byte[]? buffer, int length) : IDisposable
{
    public FrameKind Kind { get; } = kind;

    public ReadOnlyMemory<byte> Payload => buffer.AsMemory(0, length);

    public void Dispose()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
