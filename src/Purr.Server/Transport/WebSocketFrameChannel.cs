using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// <see cref="IFrameChannel"/> over one WebSocket. A separate writer drains a bounded queue; when it is full
/// the protocol waits (the client slows itself down), and a frame that cannot be written within the send
/// timeout ends the connection, so a client that stops reading costs a bounded amount of memory. Pings and
/// the idle timeout are the WebSocket's own keep-alive.
/// </summary>
internal sealed class WebSocketFrameChannel : IFrameChannel, IDisposable
{
    private readonly WebSocket socket;
    private readonly WebSocketFrameReader reader;
    private readonly TimeSpan sendTimeout;
    private readonly ILogger logger;
    private readonly Channel<OutboundFrame> outbound;
    private readonly CancellationTokenSource aborted = new();
    private readonly CancellationTokenSource readCancel;
    private readonly Lock closeGate = new();
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private readonly Task writer;
    private WebSocketCloseStatus? closeStatus;

    public WebSocketFrameChannel(WebSocket socket, int maxFrameBytes, int queueFrames, TimeSpan sendTimeout, ILogger logger)
    {
        this.socket = socket;
        this.sendTimeout = sendTimeout;
        this.logger = logger;
        reader = new WebSocketFrameReader(socket, maxFrameBytes);
        readCancel = CancellationTokenSource.CreateLinkedTokenSource(aborted.Token);
        outbound = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(queueFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    public CancellationToken Closed => aborted.Token;

    public ValueTask<Frame> ReadAsync() => reader.ReadAsync(readCancel.Token);

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

    public void Close(ErrorCode? reason)
    {
        lock (closeGate)
        {
            if (closeStatus is not null)
            {
                return;
            }

            closeStatus = StatusFor(reason);
            outbound.Writer.TryComplete();
        }
    }

    public void Abort()
    {
        try
        {
            aborted.Cancel();
            socket.Abort();
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
        socket.Dispose();
    }

    public void Dispose()
    {
        readCancel.Dispose();
        aborted.Dispose();
    }

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

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var frame in outbound.Reader.ReadAllAsync(aborted.Token))
            {
                // Most writes complete at once (the socket buffer has room); only a write that has to wait
                // pays for a timeout, and one that waits longer than the send timeout ends the connection.
                var send = socket.SendAsync(frame.Bytes ?? frame.Frame!.ToByteArray(), WebSocketMessageType.Binary, endOfMessage: true, aborted.Token);
                if (send.IsCompletedSuccessfully)
                {
                    continue;
                }

                try
                {
                    await send.AsTask().WaitAsync(sendTimeout, aborted.Token);
                }
                catch (TimeoutException)
                {
                    ServerLog.SlowConsumerClosed(logger);
                    Abort();
                    return;
                }
            }

            if (closeStatus is { } status && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseGrace);
                await socket.CloseOutputAsync(status, null, timeout.Token);
                // The reader may be waiting for a client that never answers the close.
                readCancel.CancelAfter(CloseGrace);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            aborted.Cancel();
        }
    }
}
