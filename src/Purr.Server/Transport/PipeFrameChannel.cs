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
/// <see cref="IFrameChannel"/> over a byte stream in the raw framing (<see cref="RawFraming"/>): Kestrel's pipe
/// for TCP and Unix-socket connections. Like the WebSocket channel: a bounded <see cref="OutboundQueue"/> whose writer
/// runs only while frames wait, a send timeout for clients that stop reading. The keep-alive is the framing's own: a
/// zero-length frame after <c>PingInterval</c> of sending nothing (<see cref="ConnectionHeartbeat"/>), and the connection
/// closed after <c>IdleTimeout</c> of receiving nothing (a frame or the client's answer to a keep-alive).
/// </summary>
internal sealed class PipeFrameChannel : PipeChannel, IFrameChannel
{
    private readonly int maxFrameBytes;
    private readonly byte[] readHeader = new byte[RawFraming.HeaderBytes];
    private readonly byte[] writeHeader = new byte[RawFraming.HeaderBytes];

    public PipeFrameChannel(
        IDuplexPipe pipe, Action abortTransport, int maxFrameBytes, int queueFrames, TimeSpan sendTimeout,
        TimeSpan pingInterval, TimeSpan idleTimeout, ILogger logger)
        : base(pipe, abortTransport, queueFrames, sendTimeout, pingInterval, idleTimeout, KeepAliveTimer.Frame, logger)
    {
        this.maxFrameBytes = maxFrameBytes;
    }

    /// <remarks>Its state machine box is pooled: one per frame read used to be about a third of a kilobyte a message.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Frame> ReadAsync()
    {
        var input = Pipe.Input;
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
            if (buffer.Length >= RawFraming.HeaderBytes)
            {
                buffer.Slice(0, RawFraming.HeaderBytes).CopyTo(readHeader);
                var length = BinaryPrimitives.ReadUInt32BigEndian(readHeader);
                if (length > (uint)maxFrameBytes)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return new Frame(FrameKind.TooLarge, null, 0);
                }

                if (buffer.Length >= RawFraming.HeaderBytes + length)
                {
                    Received();
                    var payload = buffer.Slice(RawFraming.HeaderBytes, length);
                    if (length == 0)
                    {
                        input.AdvanceTo(payload.End);
                        continue;
                    }

                    // Copied before the pipe may reuse the memory.
                    var bytes = ArrayPool<byte>.Shared.Rent((int)length);
                    payload.CopyTo(bytes);
                    input.AdvanceTo(payload.End);
                    return new Frame(FrameKind.Binary, bytes, (int)length);
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

    /// <summary>The raw framing has no close status: the session's Error frame (if any) says why, then the stream ends.</summary>
    public void Close(ErrorCode? reason) => Complete();

    protected override async ValueTask<bool> SendAsync(OutboundFrame frame)
    {
        var output = Pipe.Output;
        try
        {
            BinaryPrimitives.WriteUInt32BigEndian(writeHeader, (uint)BodyLength(frame));
            output.Write(writeHeader);
            WriteBody(output, frame);
            Sent();
            return await FlushAsync(output);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            Aborted.CancelUnlessDisposed();
            return false;
        }
    }

    /// <summary>Closed: everything queued went out; ending the output closes the connection.</summary>
    protected override async ValueTask FinishAsync()
    {
        try
        {
            await Pipe.Output.CompleteAsync();
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            Aborted.CancelUnlessDisposed();
        }
    }

}
