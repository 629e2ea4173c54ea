using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
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
/// zero-length frame after <c>PingInterval</c> of sending nothing (<see cref="KeepAliveTimer"/>), and the connection
/// closed after <c>IdleTimeout</c> of receiving nothing (a frame or the client's answer to a keep-alive).
/// </summary>
internal sealed class PipeFrameChannel : OutboundQueue, IFrameChannel, IDisposable
{
    private readonly IDuplexPipe pipe;
    private readonly Action abortTransport;
    private readonly int maxFrameBytes;
    private readonly TimeSpan sendTimeout;
    private readonly TimeSpan idleTimeout;
    private readonly ILogger logger;
    private readonly CancellationTokenSource aborted = new();
    private readonly CancellationTokenSource idle;
    private readonly KeepAliveTimer keepAlive;
    private readonly byte[] readHeader = new byte[RawFraming.HeaderBytes];
    private readonly byte[] writeHeader = new byte[RawFraming.HeaderBytes];

    public PipeFrameChannel(
        IDuplexPipe pipe, Action abortTransport, int maxFrameBytes, int queueFrames, TimeSpan sendTimeout,
        TimeSpan pingInterval, TimeSpan idleTimeout, ILogger logger)
        : base(queueFrames)
    {
        this.pipe = pipe;
        this.abortTransport = abortTransport;
        this.maxFrameBytes = maxFrameBytes;
        this.sendTimeout = sendTimeout;
        this.idleTimeout = idleTimeout;
        this.logger = logger;
        idle = CancellationTokenSource.CreateLinkedTokenSource(aborted.Token);
        idle.CancelAfter(idleTimeout);
        // False when the queue is full (frames are going out anyway) or closing.
        keepAlive = new KeepAliveTimer(pingInterval, () => TryWrite(KeepAliveTimer.Frame));
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

    /// <summary>The raw framing has no close status: the session's Error frame (if any) says why, then the stream ends.</summary>
    public void Close(ErrorCode? reason) => Complete();

    /// <summary>Ends the connection without waiting; cancellation callbacks run on the thread pool (see NoiseFrameChannel.Abort).</summary>
    public void Abort()
    {
        Stop();
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
        Complete();
        await Task.WhenAny(Finished, Task.Delay(grace, CancellationToken.None));
        aborted.CancelUnlessDisposed();
    }

    public void Dispose()
    {
        keepAlive.Dispose();
        idle.Dispose();
        aborted.Dispose();
    }

    protected override async ValueTask<bool> SendAsync(OutboundFrame frame)
    {
        var output = pipe.Output;
        try
        {
            var bytes = frame.Bytes ?? frame.Frame!.ToByteArray();
            BinaryPrimitives.WriteUInt32BigEndian(writeHeader, (uint)bytes.Length);
            output.Write(writeHeader);
            output.Write(bytes.Span);
            keepAlive.Sent();
            return await FlushAsync(output);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            aborted.CancelUnlessDisposed();
            return false;
        }
    }

    /// <summary>Closed: everything queued went out; ending the output closes the connection.</summary>
    protected override async ValueTask FinishAsync()
    {
        try
        {
            await pipe.Output.CompleteAsync();
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            aborted.CancelUnlessDisposed();
        }
    }

    private static bool IsTransportFailure(Exception e) =>
        e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException;

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
