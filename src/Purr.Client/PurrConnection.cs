using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>
/// One WebSocket connection to a Purr server whose identity key is pinned by its purr:// address.
/// Requests may be issued concurrently; responses are matched by id. Pushed events arrive on <see cref="Events"/>,
/// or on the reader of a listener that claims them (<see cref="Listen"/>).
/// </summary>
public sealed partial class PurrConnection : IAsyncDisposable
{
    /// <summary>The largest frame the client accepts: the top of the server's own frame-limit range.</summary>
    private const int MaxServerFrameBytes = 16 * 1024 * 1024;

    private readonly ClientWebSocket socket;
    private readonly WebSocketFrameReader frameReader;
    private readonly PurrConnectionOptions options;
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<ServerFrame>> pending = new();
    private readonly Channel<PurrEvent> events;
    private readonly CancellationTokenSource closing = new();
    private Task receiveLoop = Task.CompletedTask;
    private ulong lastRequestId;

    /// <summary>Mailboxes this connection holds the subscription of (hex receive ids): their acks need no signature.</summary>
    private readonly ConcurrentDictionary<string, bool> subscribed = new();

    private PurrConnection(ClientWebSocket socket, PurrAddress address, PurrConnectionOptions options)
    {
        this.socket = socket;
        frameReader = new WebSocketFrameReader(socket, MaxServerFrameBytes);
        this.options = options;
        Address = address;
        events = Channel.CreateBounded<PurrEvent>(new BoundedChannelOptions(options.EventQueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public PurrAddress Address { get; }

    /// <summary>The hello the server sent: its limits and this connection's session nonce.</summary>
    public ServerHello Hello { get; private set; } = new();

    public ReadOnlyMemory<byte> SessionNonce => Hello.SessionNonce.Memory;

    /// <summary>Pushed messages, subscription ends and unsolicited errors; completes when the connection closes.</summary>
    public ChannelReader<PurrEvent> Events => events.Reader;

    public WebSocketState State => socket.State;

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    /// <summary>Connects, checks the server's key against <paramref name="address"/>, and completes the hello.</summary>
    public static async Task<PurrConnection> ConnectAsync(
        PurrAddress address, PurrConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PurrConnectionOptions();
        Sodium.EnsureAvailable();
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        var uri = new UriBuilder(options.UseTls ? "wss" : "ws", address.Host, address.Port, "/v1/ws").Uri;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            socket.Dispose();
            var reason = e is OperationCanceledException ? "timed out" : e.Message;
            throw new PurrConnectionException($"could not reach the Purr server at {address.Host}:{address.Port}: {reason}", e);
        }

        var connection = new PurrConnection(socket, address, options);
        try
        {
            await connection.HandshakeAsync(timeout.Token);
            return connection;
        }
        catch (Exception e) when (e is WebSocketException or IOException or Google.Protobuf.InvalidProtocolBufferException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The server went away (or spoke nonsense) during the handshake: the same clear error as not reaching it.
            await connection.DisposeAsync();
            throw new PurrConnectionException($"the Purr server at {address.Host}:{address.Port} dropped the connection during the handshake", e);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var first = await ReceiveFrameAsync(cancellationToken)
            ?? throw new PurrConnectionException("the server closed the connection before its hello");
        if (first.BodyCase != ServerFrame.BodyOneofCase.ServerHello)
        {
            throw new PurrConnectionException("the server did not start with a hello; is this a Purr server?");
        }

        Hello = first.ServerHello;
        if (!ConstantTime.Equal(Hello.ServerIdentityKey.Span, Address.IdentityKey))
        {
            throw new PurrServerKeyMismatchException(
                $"the server at {Address.Host}:{Address.Port} has a different identity key than the address pins; refusing to connect");
        }

        if (Hello.SessionNonce.Length != SignedBytes.NonceBytes)
        {
            throw new PurrConnectionException("the server's hello is malformed");
        }

        receiveLoop = Task.Run(ReceiveLoopAsync, CancellationToken.None);
        var clientNonce = SecureRandom.Bytes(SignedBytes.NonceBytes);
        var response = await RequestAsync(new Request
        {
            Hello = new ClientHello { Version = options.ProtocolVersion, ClientNonce = ByteString.CopyFrom(clientNonce) },
        }, signer: null, cancellationToken);
        var signed = SignedBytes.ServerHello(Hello.SessionNonce.Span, clientNonce);
        if (!Ed25519.Verify(Address.IdentityKey, signed, response.HelloAccepted.Signature.Span))
        {
            throw new PurrServerKeyMismatchException(
                $"the server at {Address.Host}:{Address.Port} could not prove it holds the pinned identity key; refusing to connect");
        }
    }

    /// <summary>
    /// Sends a request with the next id and waits for its response. <paramref name="signer"/> gets the exact
    /// request bytes and returns the signature. An Error response is thrown as <see cref="PurrProtocolException"/>.
    /// </summary>
    public Task<ServerFrame> RequestAsync(Request request, Func<byte[], byte[]>? signer, CancellationToken cancellationToken = default) =>
        RequestAsync(request, signer, mailboxSigner: null, cancellationToken);

    /// <summary>
    /// Like <see cref="RequestAsync(Request, Func{byte[], byte[]}?, CancellationToken)"/>, with a second signature over the same
    /// bytes in ClientFrame.mailbox_signature: the recipient key of a mailbox the request names (CreateRoom, JoinRoom).
    /// </summary>
    public async Task<ServerFrame> RequestAsync(
        Request request, Func<byte[], byte[]>? signer, Func<byte[], byte[]>? mailboxSigner, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<ServerFrame> completion;
        await sendGate.WaitAsync(cancellationToken);
        try
        {
            request.Id = ++lastRequestId;
            var bytes = request.ToByteArray();
            var frame = new ClientFrame { Request = ByteString.CopyFrom(bytes) };
            if (signer is not null)
            {
                frame.Signature = ByteString.CopyFrom(signer(bytes));
            }

            if (mailboxSigner is not null)
            {
                frame.MailboxSignature = ByteString.CopyFrom(mailboxSigner(bytes));
            }

            completion = Register(request.Id);
            await SendLockedAsync(frame.ToByteArray(), cancellationToken);
        }
        finally
        {
            sendGate.Release();
        }

        return await AwaitResponseAsync(request.Id, completion, cancellationToken);
    }

    /// <summary>
    /// Sends a frame exactly as given (for tests and tools that replay or craft frames) and waits for the
    /// response to <paramref name="requestId"/>. Later requests get ids above it.
    /// </summary>
    public async Task<ServerFrame> SendRawFrameAsync(byte[] frame, ulong requestId, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<ServerFrame> completion;
        await sendGate.WaitAsync(cancellationToken);
        try
        {
            lastRequestId = Math.Max(lastRequestId, requestId);
            completion = Register(requestId);
            await SendLockedAsync(frame, cancellationToken);
        }
        finally
        {
            sendGate.Release();
        }

        return await AwaitResponseAsync(requestId, completion, cancellationToken);
    }

    /// <summary>The signature a mailbox's recipient key puts on a request sent over this connection.</summary>
    public Func<byte[], byte[]> RecipientSigner(Ed25519KeyPair recipientKey) =>
        bytes => recipientKey.Sign(SignedBytes.RecipientRequest(SessionNonce.Span, bytes));

    /// <summary>The signature a secured mailbox's sender key puts on a send over this connection.</summary>
    public Func<byte[], byte[]> SenderSigner(Ed25519KeyPair senderKey) =>
        bytes => senderKey.Sign(SignedBytes.SenderRequest(SessionNonce.Span, bytes));

    public async ValueTask DisposeAsync()
    {
        if (!closing.IsCancellationRequested)
        {
            await closing.CancelAsync();
            if (socket.State == WebSocketState.Open)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // Closing anyway.
                }
            }

            socket.Abort();
            await receiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            socket.Dispose();
        }
    }

    private TaskCompletionSource<ServerFrame> Register(ulong requestId)
    {
        var completion = new TaskCompletionSource<ServerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!pending.TryAdd(requestId, completion))
        {
            throw new InvalidOperationException("a request with this id is already waiting");
        }

        return completion;
    }

    private async Task SendLockedAsync(byte[] frame, CancellationToken cancellationToken)
    {
        try
        {
            // Never the caller's token: cancelling a WebSocket send aborts the whole socket, so one request given up
            // (a room session closing mid-ack) would cut every other mailbox and room on the connection.
            _ = cancellationToken;
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, closing.Token);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
            throw new PurrConnectionException("the connection to the Purr server is closed", e);
        }
    }

    private async Task<ServerFrame> AwaitResponseAsync(
        ulong requestId, TaskCompletionSource<ServerFrame> completion, CancellationToken cancellationToken)
    {
        try
        {
            var response = await completion.Task.WaitAsync(options.RequestTimeout, cancellationToken);
            if (response.BodyCase == ServerFrame.BodyOneofCase.Error)
            {
                throw new PurrProtocolException(response.Error.Code, response.Error.Detail, TimeSpan.FromMilliseconds(response.Error.RetryAfterMs));
            }

            return response;
        }
        catch (TimeoutException e)
        {
            throw new PurrConnectionException("the Purr server did not answer in time", e);
        }
        finally
        {
            pending.TryRemove(requestId, out _);
        }
    }
}
