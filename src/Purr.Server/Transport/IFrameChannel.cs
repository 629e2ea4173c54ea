using Purr.Protocol.Framing;
using Purr.Protocol.V1;

namespace Purr.Server.Transport;

/// <summary>
/// A transport for whole Purr frames, apart from any protocol: reads frames within the frame limit, writes
/// through a bounded queue (back-pressure: <see cref="WriteAsync"/> waits when it is full), closes after
/// what is queued, and aborts. The WebSocket endpoint is one; a server-to-server link or a Unix socket can be
/// another, and <see cref="Sessions.ProtocolSession"/> runs unchanged over each.
/// </summary>
public interface IFrameChannel
{
    /// <summary>
    /// The next frame (a pooled buffer: dispose it), or one saying the peer closed, sent text, or sent too much.
    /// Throws <see cref="OperationCanceledException"/> once the channel is aborted, or a grace after it closed.
    /// </summary>
    ValueTask<Frame> ReadAsync();

    /// <summary>Queues a frame without waiting; false when the queue is full or the channel is closing.</summary>
    bool TryWrite(OutboundFrame frame);

    /// <summary>Queues a frame, waiting while the queue is full; returns quietly when the channel is closing.</summary>
    ValueTask WriteAsync(OutboundFrame frame, CancellationToken cancellationToken);

    /// <summary>Writes what is queued, then closes; <paramref name="reason"/> picks the transport's close status (null: normal).</summary>
    void Close(ErrorCode? reason);

    /// <summary>Drops the connection at once, without a close handshake.</summary>
    void Abort();

    /// <summary>Cancelled once the channel is closed or lost; nothing more will be written.</summary>
    CancellationToken Closed { get; }

    /// <summary>Waits (at most <paramref name="grace"/>) for queued frames to go out, then releases the transport.</summary>
    Task ShutdownAsync(TimeSpan grace);
}

/// <summary>
/// A frame waiting to be written: built per connection, or already encoded once for many connections (fan-out).
/// <paramref name="Control"/>: <paramref name="Bytes"/> is a whole message of the transport's own (a WebSocket ping, pong
/// or close), written as it is, in order with the frames.
/// </summary>
public readonly record struct OutboundFrame(ServerFrame? Frame, ReadOnlyMemory<byte>? Bytes, bool Control = false);
