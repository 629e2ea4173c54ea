using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// <see cref="IFrameChannel"/> over a byte stream in the raw framing (<see cref="RawFraming"/>): Kestrel's pipe
/// for TCP and Unix-socket connections. Like the WebSocket channel: a bounded outbound queue drained by one
/// writer, a send timeout for clients that stop reading. The keep-alive is the framing's own: a zero-length
/// frame after <c>PingInterval</c> of sending nothing, and the connection closed after <c>IdleTimeout</c> of
/// receiving nothing (a frame or the client's answer to a keep-alive).
/// </summary>
internal sealed class PipeFrameChannel : IFrameChannel, IDisposable
{
    private readonly IDuplexPipe pipe;
    private readonly Action abortTransport;
    private readonly int maxFrameBytes;
    private readonly TimeSpan sendTimeout;
    private readonly TimeSpan pingInterval;
    private readonly TimeSpan idleTimeout;
    private readonly ILogger logger;
    private readonly Channel<OutboundFrame> outbound;
    private readonly CancellationTokenSource aborted = new();
    private readonly CancellationTokenSource idle;
    private readonly Task writer;
    private readonly byte[] readHeader = new byte[RawFraming.HeaderBytes];
    private readonly byte[] writeHeader = new byte[RawFraming.HeaderBytes];

    public PipeFrameChannel(
        IDuplexPipe pipe, Action abortTransport, int maxFrameBytes, int queueFrames, TimeSpan sendTimeout,
        TimeSpan pingInterval, TimeSpan idleTimeout, ILogger logger)
    {
        this.pipe = pipe;
        this.abortTransport = abortTransport;
        this.maxFrameBytes = maxFrameBytes;
        this.sendTimeout = sendTimeout;
        this.pingInterval = pingInterval;
        this.idleTimeout = idleTimeout;
        this.logger = logger;
        idle = CancellationTokenSource.CreateLinkedTokenSource(aborted.Token);
        idle.CancelAfter(idleTimeout);
        outbound = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(queueFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    public CancellationToken Closed => aborted.Token;

    public async ValueTask<Frame> ReadAsync()
    {
        var input = pipe.Input;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                // Nothing for IdleTimeout: the client is gone without closing.
                ServerLog.ConnectionIdleClosed(logger);
                Abort();
                return new Frame(FrameKind.Close, null, 0);
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
                    idle.CancelAfter(idleTimeout);
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

    public bool TryWrite(OutboundFrame frame) => !aborted.IsCancellationRequested && outbound.Writer.TryWrite(frame);

    public async ValueTask WriteAsync(OutboundFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            await outbound.Writer.WriteAsync(frame, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // Closing already; the frame has nowhere to go.
        }
    }

    /// <summary>The raw framing has no close status: the session's Error frame (if any) says why, then the stream ends.</summary>
    public void Close(ErrorCode? reason) => outbound.Writer.TryComplete();

    /// <summary>Ends the connection without waiting; cancellation callbacks run on the thread pool (see NoiseFrameChannel.Abort).</summary>
    public void Abort()
    {
        try
        {
            _ = aborted.CancelAsync();
            abortTransport();
        }
        catch (ObjectDisposedException)
        {
            // Already closed and cleaned up.
        }
    }

    public async Task ShutdownAsync(TimeSpan grace)
    {
        outbound.Writer.TryComplete();
        await Task.WhenAny(writer, Task.Delay(grace, CancellationToken.None));
        aborted.Cancel();
    }

    public void Dispose()
    {
        idle.Dispose();
        aborted.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var output = pipe.Output;
        try
        {
            Task<bool>? pending = null;
            while (true)
            {
                // Waiting for the next frame at most a ping interval: silence that long sends a keep-alive.
                var ready = pending ?? outbound.Reader.WaitToReadAsync(aborted.Token).AsTask();
                pending = null;
                if (!ready.IsCompleted)
                {
                    if (await Task.WhenAny(ready, Task.Delay(pingInterval, aborted.Token)) != ready)
                    {
                        pending = ready;
                        output.Write(RawFraming.KeepAlive.Span);
                        await FlushAsync(output);
                        continue;
                    }
                }

                if (!await ready)
                {
                    break;
                }

                while (outbound.Reader.TryRead(out var frame))
                {
                    var bytes = frame.Bytes ?? frame.Frame!.ToByteArray();
                    BinaryPrimitives.WriteUInt32BigEndian(writeHeader, (uint)bytes.Length);
                    output.Write(writeHeader);
                    output.Write(bytes.Span);
                    if (!await FlushAsync(output))
                    {
                        return;
                    }
                }
            }

            // Closed: everything queued went out; ending the output closes the connection.
            await output.CompleteAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            aborted.Cancel();
        }
    }

    /// <summary>Flushes; a flush that waits longer than the send timeout (a client that stopped reading) aborts the connection.</summary>
    private async ValueTask<bool> FlushAsync(PipeWriter output)
    {
        var flush = output.FlushAsync(aborted.Token);
        if (flush.IsCompletedSuccessfully)
        {
            return !flush.Result.IsCompleted;
        }

        try
        {
            var result = await flush.AsTask().WaitAsync(sendTimeout, aborted.Token);
            return !result.IsCompleted;
        }
        catch (TimeoutException)
        {
            ServerLog.SlowConsumerClosed(logger);
            Abort();
            return false;
        }
    }
}
