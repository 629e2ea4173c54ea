using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Core.Ids;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Logging;
using Purr.Server.Routing;

namespace Purr.Server.Sessions;

/// <summary>
/// One client WebSocket: reads frames one at a time and answers each request in order, while a
/// separate writer drains a bounded queue of responses and pushed events. When the queue is full
/// the reader waits (the client slows itself down); a frame that cannot be written within the send
/// timeout ends the connection, so a client that stops reading costs a bounded amount of memory.
/// </summary>
internal sealed class ClientConnection : IClientSession, IDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly WebSocket socket;
    private readonly RequestDispatcher dispatcher;
    private readonly ServerIdentity identity;
    private readonly ConnectionLimitsOptions limits;
    private readonly Limits advertisedLimits;
    private readonly IEnumerable<ISessionObserver> observers;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Channel<OutboundFrame> outbound;
    private readonly CancellationTokenSource aborted = new();
    private readonly CancellationTokenSource readCancel;
    private readonly Lock closeGate = new();
    private readonly RequestRateLimiter rateLimiter;
    private readonly byte[] sessionNonce = SecureRandom.Bytes(SignedBytes.NonceBytes);
    private ulong lastRequestId;
    private volatile bool helloDone;
    private WebSocketCloseStatus? closeStatus;
    private string closeReason = "client closed";
    private bool handling;
    private bool stopAfterRequest;

    public ClientConnection(
        WebSocket socket,
        System.Net.IPAddress? remoteAddress,
        RequestDispatcher dispatcher,
        ServerIdentity identity,
        ConnectionLimitsOptions limits,
        Limits advertisedLimits,
        IEnumerable<ISessionObserver> observers,
        TimeProvider time,
        ILogger logger)
    {
        this.socket = socket;
        RemoteAddress = Transport.AddressCounter.Normalize(remoteAddress);
        this.dispatcher = dispatcher;
        this.identity = identity;
        this.limits = limits;
        this.advertisedLimits = advertisedLimits;
        this.observers = observers;
        this.time = time;
        this.logger = logger;
        rateLimiter = new RequestRateLimiter(limits.RequestsPerSecond, time);
        readCancel = CancellationTokenSource.CreateLinkedTokenSource(aborted.Token);
        outbound = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(limits.OutboundQueueFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ReadOnlyMemory<byte> SessionNonce => sessionNonce;

    public System.Net.IPAddress RemoteAddress { get; }

    public SessionFeatures Features { get; } = new();

    public bool TryPush(ServerFrame frame) => !aborted.IsCancellationRequested && outbound.Writer.TryWrite(new OutboundFrame(frame, null));

    public bool TryPushEncoded(ReadOnlyMemory<byte> frame) => !aborted.IsCancellationRequested && outbound.Writer.TryWrite(new OutboundFrame(null, frame));

    public void Abort()
    {
        closeReason = "aborted";
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

    public async Task RunAsync(CancellationToken serverStopping)
    {
        var writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        using var handshake = new CancellationTokenSource(limits.HandshakeTimeout, time);
        using var onHandshakeTimeout = handshake.Token.Register(() =>
        {
            if (!helloDone)
            {
                CloseWithError(ErrorCode.HandshakeTimeout, "no hello within the handshake timeout", WebSocketCloseStatus.PolicyViolation);
            }
        });
        using var onStopping = serverStopping.Register(OnServerStopping);
        try
        {
            TryPush(new ServerFrame { ServerHello = CreateHello() });
            await ReadLoopAsync();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            closeReason = "transport lost";
        }
        catch (Exception e)
        {
            // A bug ends this session, never the server.
            ServerLog.HandlerFailed(logger, e.GetType().Name);
            closeReason = "server error";
        }
        finally
        {
            outbound.Writer.TryComplete();
            await Task.WhenAny(writer, Task.Delay(CloseGrace, CancellationToken.None));
            aborted.Cancel();
            foreach (var observer in observers)
            {
                observer.SessionClosed(this);
            }

            ServerLog.ConnectionClosed(logger, closeReason);
            socket.Dispose();
        }
    }

    public void Dispose()
    {
        readCancel.Dispose();
        aborted.Dispose();
    }

    /// <summary>
    /// At shutdown a request being handled is finished and answered before SHUTTING_DOWN closes the connection
    /// (it used to be carried out and never answered, so a client could not know it had happened); a
    /// connection waiting for its next frame is closed at once.
    /// </summary>
    private void OnServerStopping()
    {
        lock (closeGate)
        {
            if (handling)
            {
                stopAfterRequest = true;
                return;
            }
        }

        CloseWithError(ErrorCode.ShuttingDown, "the server is shutting down", WebSocketCloseStatus.EndpointUnavailable);
    }

    /// <summary>Marks a frame as being handled, unless the connection is closing (then the frame is ignored).</summary>
    private bool BeginHandling()
    {
        lock (closeGate)
        {
            if (closeStatus is not null || stopAfterRequest)
            {
                return false;
            }

            handling = true;
            return true;
        }
    }

    private void EndHandling()
    {
        bool stop;
        lock (closeGate)
        {
            handling = false;
            stop = stopAfterRequest;
        }

        if (stop)
        {
            CloseWithError(ErrorCode.ShuttingDown, "the server is shutting down", WebSocketCloseStatus.EndpointUnavailable);
        }
    }

    private ServerHello CreateHello() => new()
    {
        MinVersion = ProtocolVersion.Min,
        MaxVersion = ProtocolVersion.Max,
        ServerIdentityKey = ByteString.CopyFrom(identity.IdentityKey),
        SessionNonce = ByteString.CopyFrom(sessionNonce),
        Limits = advertisedLimits,
    };

    private async Task ReadLoopAsync()
    {
        var reader = new FrameReader(socket, limits.MaxFrameBytes);
        while (!aborted.IsCancellationRequested && closeStatus is null)
        {
            using var frame = await reader.ReadAsync(readCancel.Token);
            switch (frame.Kind)
            {
                case FrameKind.Close:
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        CloseWithError(null, "", WebSocketCloseStatus.NormalClosure);
                    }

                    return;
                case FrameKind.TooLarge:
                    CloseWithError(ErrorCode.FrameTooLarge, $"frames are limited to {limits.MaxFrameBytes} bytes", WebSocketCloseStatus.MessageTooBig);
                    return;
                case FrameKind.Text:
                    CloseWithError(ErrorCode.TextFrame, "Purr uses binary frames only", WebSocketCloseStatus.InvalidMessageType);
                    return;
                default:
                    if (!BeginHandling())
                    {
                        return;
                    }

                    try
                    {
                        await HandleFrameAsync(frame.Payload);
                    }
                    finally
                    {
                        EndHandling();
                    }

                    break;
            }
        }
    }

    private async Task HandleFrameAsync(ReadOnlyMemory<byte> bytes)
    {
        ClientFrame frame;
        Request request;
        try
        {
            frame = ClientFrame.Parser.ParseFrom(bytes.Span);
            request = Request.Parser.ParseFrom(frame.Request);
        }
        catch (InvalidProtocolBufferException)
        {
            // Malformed frames count against the request rate like any request; a client that keeps sending them
            // past the rate is not a client that can be helped by more answers, and is closed.
            if (!rateLimiter.TryTake())
            {
                CloseWithError(ErrorCode.RateLimited, "malformed frames beyond the request rate", WebSocketCloseStatus.PolicyViolation);
                return;
            }

            await RespondAsync(0, Responses.Error(ErrorCode.MalformedFrame, "not a valid ClientFrame/Request"));
            return;
        }

        // Every frame, refused or not, takes a token: errors are answers too, and answers cost the server.
        if (!rateLimiter.TryTake())
        {
            await RespondAsync(request.Id, Responses.Error(ErrorCode.RateLimited, "too many requests; slow down"));
            return;
        }

        if (request.Id == 0)
        {
            await RespondAsync(0, Responses.Error(ErrorCode.MissingRequestId, "request id must be above 0"));
            return;
        }

        if (request.Id <= lastRequestId)
        {
            await RespondAsync(request.Id, Responses.Error(ErrorCode.ReusedRequestId, "request ids must increase on a connection"));
            return;
        }

        lastRequestId = request.Id;
        if (request.OpCase == Request.OpOneofCase.Hello)
        {
            await HandleHelloAsync(request);
            return;
        }

        if (!helloDone)
        {
            await RespondAsync(request.Id, Responses.Error(ErrorCode.HelloRequired, "send ClientHello first"));
            return;
        }

        if (!dispatcher.TryGet(request.OpCase, out var handler))
        {
            await RespondAsync(request.Id, Responses.Error(ErrorCode.UnknownRequest, "this server does not know that request"));
            return;
        }

        var context = new RequestContext(request, frame.Request, frame.Signature, this, frame.MailboxSignature);
        ServerFrame response;
        try
        {
            response = await handler.HandleAsync(context, aborted.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or a failing store ends this session with INTERNAL; the request changed nothing it could undo.
            ServerLog.HandlerFailed(logger, e.GetType().Name);
            CloseWithError(ErrorCode.Internal, "the server failed to handle the request", WebSocketCloseStatus.InternalServerError, request.Id);
            return;
        }

        await RespondAsync(request.Id, response);
        await context.RunAfterResponseAsync();
    }

    private async Task HandleHelloAsync(Request request)
    {
        if (helloDone)
        {
            await RespondAsync(request.Id, Responses.Error(ErrorCode.HelloRequired, "the hello is already complete"));
            return;
        }

        var hello = request.Hello;
        if (hello.Version is < ProtocolVersion.Min or > ProtocolVersion.Max)
        {
            CloseWithError(
                ErrorCode.UnsupportedVersion,
                $"this server speaks protocol versions {ProtocolVersion.Min} to {ProtocolVersion.Max}",
                WebSocketCloseStatus.ProtocolError,
                request.Id);
            return;
        }

        if (hello.ClientNonce.Length != SignedBytes.NonceBytes)
        {
            await RespondAsync(request.Id, Responses.InvalidArgument($"client_nonce must be {SignedBytes.NonceBytes} bytes"));
            return;
        }

        helloDone = true;
        var signature = identity.Sign(SignedBytes.ServerHello(sessionNonce, hello.ClientNonce.Span));
        await RespondAsync(request.Id, new ServerFrame
        {
            HelloAccepted = new HelloAccepted { Version = hello.Version, Signature = ByteString.CopyFrom(signature) },
        });
    }

    private async ValueTask RespondAsync(ulong requestId, ServerFrame response)
    {
        if (response.BodyCase == ServerFrame.BodyOneofCase.Error)
        {
            ServerLog.RequestRefused(logger, response.Error.Code);
        }

        response.RequestId = requestId;
        try
        {
            await outbound.Writer.WriteAsync(new OutboundFrame(response, null), aborted.Token);
        }
        catch (ChannelClosedException)
        {
            // Closing already; the response has nowhere to go.
        }
    }

    /// <summary>Queues an error (if any), then a close frame once everything before it is written.</summary>
    private void CloseWithError(ErrorCode? code, string detail, WebSocketCloseStatus status, ulong requestId = 0)
    {
        lock (closeGate)
        {
            if (closeStatus is not null)
            {
                return;
            }

            if (code is { } errorCode)
            {
                ServerLog.RequestRefused(logger, errorCode);
                closeReason = errorCode.ToString();
                var error = Responses.Error(errorCode, detail);
                error.RequestId = requestId;
                outbound.Writer.TryWrite(new OutboundFrame(error, null));
            }

            closeStatus = status;
            outbound.Writer.TryComplete();
        }
    }

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
                    await send.AsTask().WaitAsync(limits.SendTimeout, aborted.Token);
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

/// <summary>A frame waiting to be written: built per connection, or already encoded once for many connections (fan-out).</summary>
internal readonly record struct OutboundFrame(ServerFrame? Frame, ReadOnlyMemory<byte>? Bytes);
