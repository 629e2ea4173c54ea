using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// What the channels that frame Purr's messages on a Kestrel connection's pipes share (<see cref="PipeFrameChannel"/>,
/// the raw framing; <see cref="PipeWebSocketChannel"/>, RFC 6455): the abort and the shutdown, the idle timeout on
/// receiving, the keep-alive after a ping interval of sending nothing, and a flush bounded by the send timeout.
/// </summary>
internal abstract class PipeChannel : OutboundQueue, IDisposable
{
    private readonly Action abortTransport;
    private readonly TimeSpan sendTimeout;
    private readonly TimeSpan idleTimeout;
    private readonly KeepAliveTimer keepAlive;

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
        this.idleTimeout = idleTimeout;
        Idle = CancellationTokenSource.CreateLinkedTokenSource(Aborted.Token);
        Idle.CancelAfter(idleTimeout);
        keepAlive = new KeepAliveTimer(pingInterval, () => TryWrite(keepAliveFrame));
    }

    public CancellationToken Closed => Aborted.Token;

    protected IDuplexPipe Pipe { get; }

    protected ILogger Logger { get; }

    /// <summary>Cancelled when the channel is aborted or lost.</summary>
    protected CancellationTokenSource Aborted { get; } = new();

    /// <summary>Cancelled after the idle timeout without receiving, or with <see cref="Aborted"/>.</summary>
    protected CancellationTokenSource Idle { get; }

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
        keepAlive.Dispose();
        Idle.Dispose();
        Aborted.Dispose();
    }

    /// <summary>Something arrived: the idle timeout starts again.</summary>
    protected void Received() => Idle.CancelAfter(idleTimeout);

    /// <summary>Something went out: the keep-alive waits a whole ping interval again.</summary>
    protected void Sent() => keepAlive.Sent();

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
