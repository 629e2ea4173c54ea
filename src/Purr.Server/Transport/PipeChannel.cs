using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// What the channels that frame Purr's messages on a Kestrel connection's pipes share (<see cref="PipeFrameChannel"/>,
/// the raw framing; <see cref="PipeWebSocketChannel"/>, RFC 6455): the abort and the shutdown, the idle timeout on
/// receiving, the keep-alive after a ping interval of sending nothing (both from the shared
/// <see cref="ConnectionHeartbeat"/>, not a timer of their own), and a flush bounded by the send timeout.
/// </summary>
internal abstract class PipeChannel : OutboundQueue, IDisposable
{
    private readonly Action abortTransport;
    private readonly TimeSpan sendTimeout;
    private readonly long idleTimeoutMs;
    private readonly long pingIntervalMs;
    private readonly OutboundFrame keepAliveFrame;
    private long lastReceived = Environment.TickCount64;
    private long lastSent = Environment.TickCount64;
    private volatile bool idleExpired;

    /// <param name="keepAliveFrame">What goes out after a ping interval of sending nothing (not when the queue is full: frames are going out anyway).</param>
    protected PipeChannel(
        IDuplexPipe pipe, Action abortTransport, int queueFrames, TimeSpan sendTimeout, TimeSpan pingInterval, TimeSpan idleTimeout,
        OutboundFrame keepAliveFrame, ILogger logger)
        : base(queueFrames)
    {
        Pipe = pipe;
        Logger = logger;
        this.abortTransport = abortTransport;
        this.sendTimeout = sendTimeout;
        this.keepAliveFrame = keepAliveFrame;
        idleTimeoutMs = (long)idleTimeout.TotalMilliseconds;
        pingIntervalMs = (long)pingInterval.TotalMilliseconds;
        ConnectionHeartbeat.Add(this, pingInterval < idleTimeout ? pingInterval : idleTimeout);
    }

    public CancellationToken Closed => Aborted.Token;

    protected IDuplexPipe Pipe { get; }

    protected ILogger Logger { get; }

    /// <summary>How many bytes <see cref="WriteBody"/> writes for the frame.</summary>
    protected static int BodyLength(OutboundFrame frame) => frame.Bytes?.Length ?? frame.Frame!.CalculateSize();

    /// <summary>
    /// The frame's bytes, serialised straight into the pipe's buffers: no array per frame (a delivered 1 KiB message
    /// used to cost one more copy of itself here, and a protobuf stream object).
    /// </summary>
    protected static void WriteBody(PipeWriter output, OutboundFrame frame)
    {
        if (frame.Bytes is { } bytes)
        {
            output.Write(bytes.Span);
        }
        else
        {
            frame.Frame!.WriteTo(output);
        }
    }

    /// <summary>Cancelled when the channel is aborted or lost.</summary>
    protected CancellationTokenSource Aborted { get; } = new();

    /// <summary>Ends the connection without waiting; cancellation callbacks run on the thread pool (see NoiseFrameChannel.Abort).</summary>
    public void Abort()
    {
        Stop();
        try
        {
            _ = Aborted.CancelAsync();
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
        Aborted.CancelUnlessDisposed();
    }

    public void Dispose()
    {
        ConnectionHeartbeat.Remove(this);
        Aborted.Dispose();
    }

    /// <summary>
    /// The heartbeat's look at this connection: after the idle timeout without receiving, the pending read is cancelled
    /// (once); after a ping interval without sending, a keep-alive is queued (not when the queue is full: frames are
    /// going out anyway).
    /// </summary>
    internal void Beat(long now)
    {
        if (now - Volatile.Read(ref lastReceived) >= idleTimeoutMs)
        {
            if (!idleExpired)
            {
                idleExpired = true;
                try
                {
                    Pipe.Input.CancelPendingRead();
                }
                catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
                {
                    // The connection ended meanwhile.
                }
            }

            return;
        }

        if (now - Volatile.Read(ref lastSent) >= pingIntervalMs)
        {
            Volatile.Write(ref lastSent, now);
            TryWrite(keepAliveFrame);
        }
    }

    /// <summary>Something arrived: the idle timeout starts again.</summary>
    protected void Received() => Volatile.Write(ref lastReceived, Environment.TickCount64);

    /// <summary>Something went out: the keep-alive waits a whole ping interval again.</summary>
    protected void Sent() => Volatile.Write(ref lastSent, Environment.TickCount64);

    /// <summary>
    /// For a read that came back cancelled (<see cref="ReadResult.IsCanceled"/>): true when the heartbeat cancelled it
    /// because the idle timeout passed (logged, the connection aborted; the caller answers with a close); false
    /// otherwise, and the caller reads again. Not an async wrapper around the read: an idle connection's pending read
    /// would keep one more state machine alive.
    /// </summary>
    protected bool ClosedForIdleness(PipeReader input, in ReadResult result)
    {
        input.AdvanceTo(result.Buffer.Start);
        if (!idleExpired)
        {
            return false;
        }

        // Nothing, not even an answer to a keep-alive, for IdleTimeout: the client is gone without closing.
        ServerLog.ConnectionIdleClosed(Logger);
        Abort();
        return true;
    }

    protected static bool IsTransportFailure(Exception e) =>
        e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException;

    /// <summary>Flushes; a flush that waits longer than the send timeout (a client that stopped reading) aborts the connection.</summary>
    protected async ValueTask<bool> FlushAsync(PipeWriter output)
    {
        var flush = output.FlushAsync(Aborted.Token);
        if (flush.IsCompletedSuccessfully)
        {
            return !flush.Result.IsCompleted;
        }

        try
        {
            var result = await flush.AsTask().WaitAsync(sendTimeout, Aborted.Token);
            return !result.IsCompleted;
        }
        catch (TimeoutException)
        {
            ServerLog.SlowConsumerClosed(Logger);
            Abort();
            return false;
        }
    }
}
