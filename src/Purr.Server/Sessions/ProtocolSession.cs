using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Logging;
using Purr.Server.Routing;
using Purr.Server.Transport;

namespace Purr.Server.Sessions;

/// <summary>
/// The Purr protocol on one frame channel, whatever carries it: the server's hello, request ids, the request
/// rate, dispatch to module handlers, and an orderly end (handshake timeout, shutdown after the request in
/// flight). Frames are handled one at a time and answered in order; pushed events share the channel's queue.
/// </summary>
internal sealed class ProtocolSession : IClientSession
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly IFrameChannel channel;
    private readonly RequestDispatcher dispatcher;
    private readonly ServerIdentity identity;
    private readonly SessionSettings settings;
    private readonly IEnumerable<ISessionObserver> observers;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock closeGate = new();
    private RequestRateLimiter rateLimiter;
    private SemaphoreSlim? concurrentSlots;
    private ITimer? handshakeTimer;
    private readonly byte[] sessionNonce = SecureRandom.Bytes(SignedBytes.NonceBytes);
    private ulong lastRequestId;
    private volatile bool helloDone;
    private bool closing;
    private bool handling;
    private bool stopAfterRequest;
    private string closeReason = "client closed";

    public ProtocolSession(
        IFrameChannel channel,
        IPAddress? remoteAddress,
        RequestDispatcher dispatcher,
        ServerIdentity identity,
        SessionSettings settings,
        IEnumerable<ISessionObserver> observers,
        TimeProvider time,
        ILogger logger)
    {
        this.channel = channel;
        this.dispatcher = dispatcher;
        this.identity = identity;
        this.settings = settings;
        this.observers = observers;
        this.time = time;
        this.logger = logger;
        RemoteAddress = AddressCounter.Normalize(remoteAddress);
        rateLimiter = new RequestRateLimiter(settings.RequestsPerSecond, time);
    }

    public ReadOnlyMemory<byte> SessionNonce => sessionNonce;

    public IPAddress RemoteAddress { get; }

    public SessionFeatures Features { get; } = new();

    public bool TryPush(ServerFrame frame) => channel.TryWrite(new OutboundFrame(frame, null));

    public bool TryPushEncoded(ReadOnlyMemory<byte> frame) => channel.TryWrite(new OutboundFrame(null, frame));

    public ValueTask PushAsync(ServerFrame frame, CancellationToken cancellationToken) =>
        channel.WriteAsync(new OutboundFrame(frame, null), cancellationToken);

    /// <summary>Called while this session's own request is handled (PeerHello), so no other frame races the swap.</summary>
    public void SetRequestRate(int requestsPerSecond) => rateLimiter = new RequestRateLimiter(requestsPerSecond, time);

    public void Abort()
    {
        closeReason = "aborted";
        channel.Abort();
    }

    public async Task RunAsync(CancellationToken serverStopping)
    {
        // A one-shot timer, disposed as soon as the hello is done, so an idle session keeps no timer of its own.
        handshakeTimer = time.CreateTimer(
            static state =>
            {
                var session = (ProtocolSession)state!;
                if (!session.helloDone)
                {
                    session.CloseWithError(ErrorCode.HandshakeTimeout, "no hello within the handshake timeout");
                }
            },
            this, settings.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        using var onStopping = serverStopping.Register(OnServerStopping);
        try
        {
            TryPush(new ServerFrame { ServerHello = CreateHello() });
            // The read loop is here rather than in a method of its own: an idle session would keep that method's
            // state machine alive beside this one (about 150 bytes a connection).
            while (!channel.Closed.IsCancellationRequested && !IsClosing())
            {
                using var frame = await channel.ReadAsync();
                switch (frame.Kind)
                {
                    case FrameKind.Close:
                        CloseWithError(null, "");
                        return;
                    case FrameKind.TooLarge:
                        CloseWithError(ErrorCode.FrameTooLarge, $"frames are limited to {settings.MaxFrameBytes} bytes");
                        return;
                    case FrameKind.Text:
                        CloseWithError(ErrorCode.TextFrame, "Purr uses binary frames only");
                        return;
                    default:
                        if (!BeginHandling())
                        {
                            return;
                        }

                        settings.Metrics?.FrameReceived();
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
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException or IOException)
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
            DisposeHandshakeTimer();
            await channel.ShutdownAsync(CloseGrace);
            foreach (var observer in observers)
            {
                observer.SessionClosed(this);
            }

            ServerLog.ConnectionClosed(logger, closeReason);
        }
    }

    /// <summary>
    /// At shutdown a request being handled is finished and answered before SHUTTING_DOWN closes the session
    /// (it used to be carried out and never answered, so a client could not know it had happened); a session
    /// waiting for its next frame is closed at once.
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

        CloseWithError(ErrorCode.ShuttingDown, "the server is shutting down");
    }

    /// <summary>Marks a frame as being handled, unless the session is closing (then the frame is ignored).</summary>
    private bool BeginHandling()
    {
        lock (closeGate)
        {
            if (closing || stopAfterRequest)
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
            CloseWithError(ErrorCode.ShuttingDown, "the server is shutting down");
        }
    }

    private bool IsClosing()
    {
        lock (closeGate)
        {
            return closing;
        }
    }

    private ServerHello CreateHello() => new()
    {
        MinVersion = ProtocolVersion.Min,
        MaxVersion = ProtocolVersion.Max,
        ServerIdentityKey = ByteString.CopyFrom(identity.IdentityKey),
        SessionNonce = ByteString.CopyFrom(sessionNonce),
        Limits = settings.AdvertisedLimits,
        Registration = settings.Registration,
    };

    private static ByteString Copy(ReadOnlyMemory<byte> bytes) => bytes.IsEmpty ? ByteString.Empty : ByteString.CopyFrom(bytes.Span);

    private async Task HandleFrameAsync(ReadOnlyMemory<byte> bytes)
    {
        ClientFrameView frame;
        Request request;
        try
        {
            frame = ClientFrameView.Read(bytes);
            request = Request.Parser.ParseFrom(frame.Request.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            // Malformed frames count against the request rate like any request; a client that keeps sending them
            // past the rate is not a client that can be helped by more answers, and is closed.
            if (!rateLimiter.TryTake())
            {
                CloseWithError(ErrorCode.RateLimited, "malformed frames beyond the request rate");
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

        // An address that used up its failed authentications waits, whatever it asks: guessing stays slow.
        if (settings.FailedAuths is { } failedAuths && !failedAuths.HasToken(RemoteAddress, out var wait))
        {
            await RespondAsync(request.Id, Responses.RateLimited("too many failed authentications from your address", wait));
            return;
        }

        // The signed bytes are wrapped, not copied, for a request handled before the next frame is read: the frame's
        // buffer goes back to the pool only after this method returns. One that runs beside later frames gets a copy.
        var concurrent = handler.MaxConcurrent > 0;
        var context = new RequestContext(
            request,
            concurrent ? Copy(frame.Request) : UnsafeByteOperations.UnsafeWrap(frame.Request),
            Copy(frame.Signature),
            this,
            Copy(frame.MailboxSignature),
            Copy(frame.MailboxMac));
        if (concurrent)
        {
            // Taken before the next frame is read: when every slot is busy, this connection waits (backpressure).
            concurrentSlots ??= new SemaphoreSlim(handler.MaxConcurrent);
            await concurrentSlots.WaitAsync(channel.Closed);
            _ = HandleConcurrentlyAsync(handler, context, concurrentSlots);
            return;
        }

        ServerFrame response;
        var started = time.GetTimestamp();
        try
        {
            response = await handler.HandleAsync(context, channel.Closed);
            settings.Metrics?.Handled(request.OpCase, time.GetElapsedTime(started));
        }
        catch (Exception e) when (StoreUnavailable.Is(e))
        {
            // The store (PostgreSQL) is unreachable or refused: say so, keep the connection, let the client retry.
            ServerLog.StoreUnavailable(logger, e.GetType().Name);
            response = Responses.Unavailable("the server's storage is unreachable; nothing was changed", StoreUnavailable.RetryAfter);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug ends this session with INTERNAL; the request changed nothing it could undo.
            ServerLog.HandlerFailed(logger, e.GetType().Name);
            CloseWithError(ErrorCode.Internal, "the server failed to handle the request", request.Id);
            return;
        }

        // A wrong password, account or invite counts like a wrong signature: guessing stays slow.
        if (response.BodyCase == ServerFrame.BodyOneofCase.Error && response.Error.Code is ErrorCode.Auth or ErrorCode.RegistrationRefused)
        {
            settings.FailedAuths?.TryTake(RemoteAddress, out _);
        }

        await RespondAsync(request.Id, response);
        await context.RunAfterResponseAsync();
    }

    /// <summary>
    /// One request of a kind that may overlap others on its connection: answered when done. A failure answers INTERNAL
    /// for that request only (the connection carries other people's requests); at shutdown its answer may be lost.
    /// </summary>
    private async Task HandleConcurrentlyAsync(IRequestHandler handler, RequestContext context, SemaphoreSlim slots)
    {
        var started = time.GetTimestamp();
        try
        {
            ServerFrame response;
            try
            {
                response = await handler.HandleAsync(context, channel.Closed);
                settings.Metrics?.Handled(context.Request.OpCase, time.GetElapsedTime(started));
            }
            catch (Exception e) when (StoreUnavailable.Is(e))
            {
                ServerLog.StoreUnavailable(logger, e.GetType().Name);
                response = Responses.Unavailable("the server's storage is unreachable; nothing was changed", StoreUnavailable.RetryAfter);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServerLog.HandlerFailed(logger, e.GetType().Name);
                response = Responses.Error(ErrorCode.Internal, "the server failed to handle the request");
            }
            catch (OperationCanceledException e) when (!channel.Closed.IsCancellationRequested)
            {
                // Cancelled by something of the handler's own (a timeout further on), not by this connection closing:
                // the client is still there and waits for exactly one answer.
                ServerLog.HandlerFailed(logger, e.GetType().Name);
                response = Responses.Error(ErrorCode.Internal, "the server gave up on the request before it had an answer; try again");
            }

            await RespondAsync(context.Request.Id, response);
            await context.RunAfterResponseAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.WebSockets.WebSocketException
            or System.Threading.Channels.ChannelClosedException or ObjectDisposedException)
        {
            // The connection closed while this request was handled: there is nobody to answer.
        }
        finally
        {
            slots.Release();
        }
    }

    private void DisposeHandshakeTimer() => Interlocked.Exchange(ref handshakeTimer, null)?.Dispose();

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
                ErrorCode.UnsupportedVersion, $"this server speaks protocol versions {ProtocolVersion.Min} to {ProtocolVersion.Max}", request.Id);
            return;
        }

        if (hello.ClientNonce.Length != SignedBytes.NonceBytes)
        {
            await RespondAsync(request.Id, Responses.InvalidArgument($"client_nonce must be {SignedBytes.NonceBytes} bytes"));
            return;
        }

        if (!hello.MailboxId.IsEmpty && hello.MailboxId.Length != MailboxMacs.MailboxIdBytes)
        {
            await RespondAsync(request.Id, Responses.InvalidArgument($"mailbox_id must be empty or {MailboxMacs.MailboxIdBytes} bytes"));
            return;
        }

        helloDone = true;
        DisposeHandshakeTimer();
        await RespondAsync(request.Id, new ServerFrame { HelloAccepted = Prove(hello) });
        foreach (var observer in observers)
        {
            observer.HelloCompleted(this);
        }
    }

    /// <summary>
    /// The server's proof on this connection: a MAC with the named mailbox's key, which only the identity key's holder
    /// derives (a keyed hash here and at the client, where a signature and its verification cost about 80 µs between
    /// them), or the identity key's signature.
    /// </summary>
    private HelloAccepted Prove(ClientHello hello)
    {
        if (hello.MailboxId.IsEmpty)
        {
            var signature = identity.Sign(SignedBytes.ServerHello(sessionNonce, hello.ClientNonce.Span));
            return new HelloAccepted { Version = hello.Version, Signature = UnsafeByteOperations.UnsafeWrap(signature) };
        }

        var key = identity.MailboxKey(hello.MailboxId.Span);
        try
        {
            var mac = MailboxMacs.Hello(key, sessionNonce, hello.ClientNonce.Span);
            return new HelloAccepted { Version = hello.Version, Mac = UnsafeByteOperations.UnsafeWrap(mac) };
        }
        finally
        {
            ConstantTime.Zero(key);
        }
    }

    private async ValueTask RespondAsync(ulong requestId, ServerFrame response)
    {
        if (response.BodyCase == ServerFrame.BodyOneofCase.Error)
        {
            ServerLog.RequestRefused(logger, response.Error.Code);
            settings.Metrics?.Refused(response.Error.Code);
        }

        response.RequestId = requestId;
        await channel.WriteAsync(new OutboundFrame(response, null), channel.Closed);
    }

    /// <summary>Queues an error (if any), then the channel's close once everything before it is written.</summary>
    private void CloseWithError(ErrorCode? code, string detail, ulong requestId = 0)
    {
        lock (closeGate)
        {
            if (closing)
            {
                return;
            }

            closing = true;
            if (code is { } errorCode)
            {
                ServerLog.RequestRefused(logger, errorCode);
                settings.Metrics?.Refused(errorCode);
                closeReason = errorCode.ToString();
                var error = Responses.Error(errorCode, detail);
                error.RequestId = requestId;
                channel.TryWrite(new OutboundFrame(error, null));
            }

            channel.Close(code);
        }
    }
}

/// <summary>The protocol limits one session applies, and the limits its hello advertises.</summary>
internal sealed record SessionSettings(
    int MaxFrameBytes, int RequestsPerSecond, TimeSpan HandshakeTimeout, Limits AdvertisedLimits, Metrics.ServerMetrics? Metrics = null,
    AddressRateLimiter? FailedAuths = null, RegistrationInfo? Registration = null);
