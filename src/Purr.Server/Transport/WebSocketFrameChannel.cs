using System.Net.WebSockets;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// <see cref="IFrameChannel"/> over one WebSocket. Frames go through a bounded <see cref="OutboundQueue"/>; when it
/// is full the protocol waits (the client slows itself down), and a frame that cannot be written within the send
/// timeout ends the connection, so a client that stops reading costs a bounded amount of memory. Pings and the
/// idle timeout are the WebSocket's own keep-alive. An idle connection holds the socket, one cancellation source
/// and an empty queue.
/// </summary>
internal sealed class WebSocketFrameChannel : OutboundQueue, IFrameChannel, IDisposable
{
    private const int NoCloseStatus = -1;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private readonly WebSocket socket;
    private readonly WebSocketFrameReader reader;
    private readonly TimeSpan sendTimeout;
    private readonly ILogger logger;
    private readonly CancellationTokenSource aborted = new();
    private int closeStatus = NoCloseStatus;

    public WebSocketFrameChannel(WebSocket socket, int maxFrameBytes, int queueFrames, TimeSpan sendTimeout, ILogger logger)
        : base(queueFrames)
    {
        this.socket = socket;
        this.sendTimeout = sendTimeout;
        this.logger = logger;
        reader = new WebSocketFrameReader(socket, maxFrameBytes);
    }

    public CancellationToken Closed => aborted.Token;

    /// <summary>Reads until the channel is aborted, or a grace after the close went out to a client that never answers it.</summary>
    public ValueTask<Frame> ReadAsync() => reader.ReadAsync(aborted.Token);

    public void Close(ErrorCode? reason)
    {
        if (Interlocked.CompareExchange(ref closeStatus, (int)StatusFor(reason), NoCloseStatus) == NoCloseStatus)
        {
            Complete();
        }
    }

    public void Abort()
    {
        Stop();
        aborted.CancelUnlessDisposed();
        try
        {
            socket.Abort();
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
        socket.Dispose();
    }

    public void Dispose() => aborted.Dispose();

    protected override async ValueTask<bool> SendAsync(OutboundFrame frame)
    {
        try
        {
            // Most writes complete at once (the socket buffer has room); only a write that has to wait pays for a
            // timeout, and one that waits longer than the send timeout ends the connection.
            var send = socket.SendAsync(frame.Bytes ?? frame.Frame!.ToByteArray(), WebSocketMessageType.Binary, endOfMessage: true, aborted.Token);
            if (!send.IsCompletedSuccessfully)
            {
                await send.AsTask().WaitAsync(sendTimeout, aborted.Token);
            }

            return true;
        }
        catch (TimeoutException)
        {
            ServerLog.SlowConsumerClosed(logger);
            Abort();
            return false;
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            aborted.CancelUnlessDisposed();
            return false;
        }
    }

    protected override async ValueTask FinishAsync()
    {
        if (Volatile.Read(ref closeStatus) is var status and not NoCloseStatus && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(CloseGrace);
                await socket.CloseOutputAsync((WebSocketCloseStatus)status, null, timeout.Token);
                // The reader may be waiting for a client that never answers the close.
                aborted.CancelAfter(CloseGrace);
            }
            catch (Exception e) when (IsTransportFailure(e))
            {
                aborted.CancelUnlessDisposed();
            }
        }
    }

    private static bool IsTransportFailure(Exception e) =>
        e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException;

    /// <summary>The WebSocket close status for each reason a session ends (PROTOCOL.md section 5).</summary>
    private static WebSocketCloseStatus StatusFor(ErrorCode? reason) => reason switch
    {
        null => WebSocketCloseStatus.NormalClosure,
        ErrorCode.FrameTooLarge => WebSocketCloseStatus.MessageTooBig,
        ErrorCode.TextFrame => WebSocketCloseStatus.InvalidMessageType,
        ErrorCode.UnsupportedVersion => WebSocketCloseStatus.ProtocolError,
        ErrorCode.Internal => WebSocketCloseStatus.InternalServerError,
        ErrorCode.ShuttingDown => WebSocketCloseStatus.EndpointUnavailable,
        _ => WebSocketCloseStatus.PolicyViolation,
    };
}
