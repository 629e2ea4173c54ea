using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// <see cref="IFrameChannel"/> speaking WebSocket (RFC 6455, section 5) directly on a Kestrel connection's pipes, for
/// connections <see cref="WebSocketUpgradeMiddleware"/> upgraded: one binary message is one Purr frame, as over
/// .NET's WebSocket (<see cref="WebSocketFrameChannel"/>, still used for upgrades that come through Kestrel's HTTP layer),
/// without that WebSocket's per-connection objects (its receive state machine, timer, locks and the stream it needs).
/// Reads a whole message at a time within the frame limit, reassembling fragments and answering pings between them;
/// writes through the bounded <see cref="OutboundQueue"/> with the same send timeout; pings after <c>PingInterval</c>
/// of sending nothing and closes after <c>IdleTimeout</c> of receiving nothing, as the WebSocket keep-alive did.
/// A frame that breaks RFC 6455 (unmasked, reserved bits or opcodes, a 64-bit length with its top bit set, a bad fragment
/// sequence, a long or fragmented control frame) closes the connection with status 1002.
/// </summary>
internal sealed class PipeWebSocketChannel : PipeChannel, IFrameChannel
{
    private const int NoCloseStatus = -1;
    private const int ProtocolError = 1002;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private static readonly OutboundFrame PingFrame = new(null, WebSocketFraming.ControlFrame(WebSocketFraming.Ping, []), Control: true);
    private readonly int maxFrameBytes;
    private int closeStatus = NoCloseStatus;

    public PipeWebSocketChannel(
        IDuplexPipe pipe, Action abortTransport, int maxFrameBytes, int queueFrames, TimeSpan sendTimeout,
        TimeSpan pingInterval, TimeSpan idleTimeout, ILogger logger)
        : base(pipe, abortTransport, queueFrames, sendTimeout, pingInterval, idleTimeout, PingFrame, logger)
    {
        this.maxFrameBytes = maxFrameBytes;
    }

    /// <remarks>Its state machine box is pooled: one per frame read used to be about a third of a kilobyte a message.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Frame> ReadAsync()
    {
        var input = Pipe.Input;
        byte[]? message = null;
        var length = 0;
        var kind = FrameKind.Binary;
        var inMessage = false;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(Aborted.Token);
                if (result.IsCanceled)
                {
                    if (ClosedForIdleness(input, result))
                    {
                        return new Frame(FrameKind.Close, null, 0);
                    }

                    continue;
                }

                var buffer = result.Buffer;
                while (WebSocketFraming.TryReadHeader(buffer, out var header))
                {
                    if (!header.Masked || header.Reserved != 0 || header.PayloadLength < 0 || !IsKnown(header.Opcode)
                        || (header.IsControl && (!header.Fin || header.PayloadLength > WebSocketFraming.MaxControlPayload))
                        || (!header.IsControl && (header.Opcode == WebSocketFraming.Continuation) != inMessage))
                    {
                        input.AdvanceTo(buffer.Start, buffer.End);
                        return Refuse(ProtocolError);
                    }

                    if (!header.IsControl && header.PayloadLength > maxFrameBytes - length)
                    {
                        input.AdvanceTo(buffer.Start, buffer.End);
                        return new Frame(FrameKind.TooLarge, null, 0);
                    }

                    var frameLength = header.HeaderLength + header.PayloadLength;
                    if (buffer.Length < frameLength)
                    {
                        break;
                    }

                    var payload = buffer.Slice(header.HeaderLength, header.PayloadLength);
                    Received();
                    if (header.IsControl)
                    {
                        var closing = OnControl(header, payload);
                        buffer = buffer.Slice(frameLength);
                        if (closing)
                        {
                            input.AdvanceTo(buffer.Start);
                            return new Frame(FrameKind.Close, null, 0);
                        }

                        continue;
                    }

                    var count = (int)header.PayloadLength;
                    if (!inMessage)
                    {
                        inMessage = true;
                        kind = header.Opcode == WebSocketFraming.Text ? FrameKind.Text : FrameKind.Binary;
                    }

                    if (count > 0 && kind == FrameKind.Binary)
                    {
                        message = Grow(message, length, length + count);
                        var into = message.AsSpan(length, count);
                        payload.CopyTo(into);
                        WebSocketFraming.Unmask(into, header.Mask);
                        length += count;
                    }

                    buffer = buffer.Slice(frameLength);
                    if (header.Fin)
                    {
                        input.AdvanceTo(buffer.Start);
                        var frame = new Frame(kind, kind == FrameKind.Binary ? message : null, kind == FrameKind.Binary ? length : 0);
                        if (kind == FrameKind.Binary)
                        {
                            // The frame owns the buffer now.
                            message = null;
                        }

                        return frame;
                    }
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    input.AdvanceTo(buffer.End);
                    return new Frame(FrameKind.Close, null, 0);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            if (message is not null)
            {
                ArrayPool<byte>.Shared.Return(message);
            }
        }
    }

    public void Close(ErrorCode? reason)
    {
        Interlocked.CompareExchange(ref closeStatus, StatusFor(reason), NoCloseStatus);
        Complete();
    }

    protected override async ValueTask<bool> SendAsync(OutboundFrame frame)
    {
        var output = Pipe.Output;
        try
        {
            if (frame.Control)
            {
                output.Write(frame.Bytes!.Value.Span);
            }
            else
            {
                var header = output.GetSpan(WebSocketFraming.MaxHeaderBytes);
                output.Advance(WebSocketFraming.WriteHeader(header, WebSocketFraming.Binary, BodyLength(frame)));
                WriteBody(output, frame);
            }

            Sent();
            return await FlushAsync(output);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            Aborted.CancelUnlessDisposed();
            return false;
        }
    }

    /// <summary>
    /// Everything queued went out: the close frame follows (the client's close answered, or the server's reason), and
    /// the reader gives a client that never answers it a grace before the connection ends.
    /// </summary>
    protected override async ValueTask FinishAsync()
    {
        var status = Volatile.Read(ref closeStatus);
        if (status == NoCloseStatus)
        {
            return;
        }

        try
        {
            Span<byte> code = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(code, (ushort)status);
            Pipe.Output.Write(WebSocketFraming.ControlFrame(WebSocketFraming.Close, code));
            await FlushAsync(Pipe.Output);
            Aborted.CancelAfter(CloseGrace);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            Aborted.CancelUnlessDisposed();
        }
    }

    private static bool IsKnown(int opcode) => opcode is WebSocketFraming.Continuation or WebSocketFraming.Text or WebSocketFraming.Binary
        or WebSocketFraming.Close or WebSocketFraming.Ping or WebSocketFraming.Pong;

    /// <summary>A ping is answered with its payload; a pong only keeps the connection alive; true for a close.</summary>
    private bool OnControl(WebSocketFrameHeader header, ReadOnlySequence<byte> payload)
    {
        switch (header.Opcode)
        {
            case WebSocketFraming.Ping:
                Span<byte> data = stackalloc byte[(int)payload.Length];
                payload.CopyTo(data);
                WebSocketFraming.Unmask(data, header.Mask);
                // Not answered when the queue is full: frames are going out anyway, and the client's next ping will be.
                TryWrite(new OutboundFrame(null, WebSocketFraming.ControlFrame(WebSocketFraming.Pong, data), Control: true));
                return false;
            case WebSocketFraming.Close:
                return true;
            default:
                return false;
        }
    }

    /// <summary>A protocol violation: the connection closes with <paramref name="status"/>.</summary>
    private Frame Refuse(int status)
    {
        Interlocked.CompareExchange(ref closeStatus, status, NoCloseStatus);
        return new Frame(FrameKind.Close, null, 0);
    }

    private static byte[] Grow(byte[]? buffer, int used, int needed)
    {
        if (buffer is not null && buffer.Length >= needed)
        {
            return buffer;
        }

        var larger = ArrayPool<byte>.Shared.Rent(buffer is null ? needed : Math.Max(needed, buffer.Length * 2));
        if (buffer is not null)
        {
            buffer.AsSpan(0, used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return larger;
    }

    /// <summary>The close status for each reason a session ends (PROTOCOL.md section 5), as <see cref="WebSocketFrameChannel"/> sends them.</summary>
    private static int StatusFor(ErrorCode? reason) => reason switch
    {
        null => 1000,
        ErrorCode.FrameTooLarge => 1009,
        ErrorCode.TextFrame => 1003,
        ErrorCode.UnsupportedVersion => 1002,
        ErrorCode.Internal => 1011,
        ErrorCode.ShuttingDown => 1001,
        _ => 1008,
    };
}
