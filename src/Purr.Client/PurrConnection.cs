using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using Purr.Client.Transport;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>
/// One connection to a Purr server whose identity key is pinned by its purr:// address, over the first of the
/// address's transports that answers (WebSocket, raw framing over TCP or a Unix socket, MQTT).
/// Requests may be issued concurrently; responses are matched by id. Pushed events arrive on <see cref="Events"/>,
/// or on the reader of a listener that claims them (<see cref="Listen"/>).
/// </summary>
public sealed partial class PurrConnection : IAsyncDisposable
{
    /// <summary>The largest frame the client accepts: the top of the server's own frame-limit range.</summary>
    private const int MaxServerFrameBytes = 16 * 1024 * 1024;

    private readonly IClientTransport transport;
    private readonly PurrConnectionOptions options;
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<ServerFrame>> pending = new();
    private readonly Channel<PurrEvent> events;
    private readonly CancellationTokenSource closing = new();
    private Task receiveLoop = Task.CompletedTask;
    private ulong lastRequestId;

    /// <summary>Mailboxes this connection holds the subscription of (hex receive ids): their acks need no signature.</summary>
    private readonly ConcurrentDictionary<string, bool> subscribed = new();

    private PurrConnection(IClientTransport transport, PurrAddress address, PurrConnectionOptions options)
    {
        this.transport = transport;
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

    /// <summary>Open: Open; otherwise Closed (kept from when every connection was a WebSocket).</summary>
    public WebSocketState State => IsOpen ? WebSocketState.Open : WebSocketState.Closed;

    public bool IsOpen => transport.IsOpen && !closing.IsCancellationRequested;

    /// <summary>The WebSocket close status, on a WebSocket connection the server closed.</summary>
    public WebSocketCloseStatus? CloseStatus => transport.CloseStatus;

    /// <summary>The endpoint this connection went through.</summary>
    public TransportEndpoint Endpoint => transport.Endpoint;

    /// <summary>
    /// Connects through the first of the address's endpoints that answers and completes the hello (which checks the
    /// server's key against <paramref name="address"/>). An endpoint that cannot be reached, or drops the connection
    /// during the hello, makes way for the next; a server that proves a different key stops the search at once.
    /// </summary>
    public static async Task<PurrConnection> ConnectAsync(
        PurrAddress address, PurrConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PurrConnectionOptions();
        Sodium.EnsureAvailable();
        var failures = new List<string>();
        PurrConnectionException? last = null;
        foreach (var endpoint in address.Endpoints(options.UseTls))
        {
            try
            {
                return await ConnectAsync(address, endpoint, options, cancellationToken);
            }
            catch (PurrConnectionException e) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{endpoint}: {e.Message}");
                last = e;
            }
        }

        throw failures.Count == 1
            ? last!
            : new PurrConnectionException($"could not reach the Purr server at {address.Host}:{address.Port} on any of its transports ({string.Join("; ", failures)})", last);
    }

    /// <summary>Connects through one endpoint of <paramref name="address"/>.</summary>
    public static async Task<PurrConnection> ConnectAsync(
        PurrAddress address, TransportEndpoint endpoint, PurrConnectionOptions options, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        IClientTransport transport;
        try
        {
            transport = await ClientTransports.ConnectAsync(endpoint, address, MaxServerFrameBytes, timeout.Token);
        }
        catch (PurrServerKeyMismatchException)
        {
            throw;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException or SocketException
            or IOException or MQTTnet.Exceptions.MqttCommunicationException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? "timed out" : e.Message;
            throw new PurrConnectionException($"could not reach the Purr server at {Where(address, endpoint)}: {reason}", e);
        }

        var connection = new PurrConnection(transport, address, options);
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
            throw new PurrConnectionException($"the Purr server at {Where(address, endpoint)} dropped the connection during the handshake", e);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>host:port for the WebSocket a plain address names (as messages always said), else the endpoint's URL.</summary>
    private static string Where(PurrAddress address, TransportEndpoint endpoint) =>
        endpoint.Kind == TransportKind.WebSocket && endpoint.Host == address.Host.Trim('[', ']') && endpoint.Port == address.Port
            ? $"{address.Host}:{address.Port}"
            : endpoint.ToString();

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var first = await ReceiveFrameAsync(cancellationToken)
            ?? throw new PurrConnectionException("the server closed the connection before its hello");
        if (first.BodyCase == ServerFrame.BodyOneofCase.Error)
        {
            // The raw framing and MQTT refuse a connection (limits) with an Error frame instead of an HTTP status.
            throw new PurrConnectionException($"the server refused the connection ({first.Error.Code}): {first.Error.Detail}");
        }

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
        var hello = new ClientHello { Version = options.ProtocolVersion, ClientNonce = ByteString.CopyFrom(clientNonce) };
        if (options.HelloMailbox is { } mailbox)
        {
            hello.MailboxId = ByteString.CopyFrom(mailbox.ReceiveId);
        }

        var response = await RequestAsync(new Request { Hello = hello }, signer: null, cancellationToken);
        if (!ServerProved(response.HelloAccepted, clientNonce))
        {
            throw new PurrServerKeyMismatchException(
                $"the server at {Address.Host}:{Address.Port} could not prove it holds the pinned identity key; refusing to connect");
        }
    }

    /// <summary>
    /// The server's proof in its HelloAccepted: the mailbox MAC when the hello named a mailbox and the server sent one,
    /// else the identity key's signature (a server from before mailbox keys ignores the mailbox and signs).
    /// </summary>
    private bool ServerProved(HelloAccepted accepted, byte[] clientNonce)
    {
        if (options.HelloMailbox is { } mailbox && !accepted.Mac.IsEmpty)
        {
            return MailboxMacs.Matches(MailboxMacs.Hello(mailbox.Key, Hello.SessionNonce.Span, clientNonce), accepted.Mac.Span);
        }

        return Ed25519.Verify(Address.IdentityKey, SignedBytes.ServerHello(Hello.SessionNonce.Span, clientNonce), accepted.Signature.Span);
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
    public Task<ServerFrame> RequestAsync(
        Request request, Func<byte[], byte[]>? signer, Func<byte[], byte[]>? mailboxSigner, CancellationToken cancellationToken = default) =>
        RequestAsync(request, signer, mailboxSigner, mac: null, cancellationToken);

    /// <summary>Sends a request proven by a mailbox key (ClientFrame.mailbox_mac) instead of a signature.</summary>
    public Task<ServerFrame> RequestWithMacAsync(Request request, MailboxCredential mailbox, CancellationToken cancellationToken = default) =>
        RequestAsync(request, signer: null, mailboxSigner: null, RecipientMac(mailbox), cancellationToken);

    private async Task<ServerFrame> RequestAsync(
        Request request, Func<byte[], byte[]>? signer, Func<byte[], byte[]>? mailboxSigner, Func<byte[], byte[]>? mac, CancellationToken cancellationToken)
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

            if (mac is not null)
            {
                frame.MailboxMac = ByteString.CopyFrom(mac(bytes));
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

    /// <summary>The MAC a mailbox key puts on a request sent over this connection, in place of the recipient key's signature.</summary>
    public Func<byte[], byte[]> RecipientMac(MailboxCredential mailbox) =>
        bytes => MailboxMacs.Request(mailbox.Key, SessionNonce.Span, bytes);

    /// <summary>The signature a secured mailbox's sender key puts on a send over this connection.</summary>
    public Func<byte[], byte[]> SenderSigner(Ed25519KeyPair senderKey) =>
        bytes => senderKey.Sign(SignedBytes.SenderRequest(SessionNonce.Span, bytes));

    public async ValueTask DisposeAsync()
    {
        if (!closing.IsCancellationRequested)
        {
            await closing.CancelAsync();
            await transport.CloseAsync();
            await transport.DisposeAsync();
            await receiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
            await transport.SendAsync(frame, closing.Token);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException or SocketException
            or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
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
